/** IDFX (Inputlog's XML keystroke logs): a writing session exported as one, and one imported as a bundle (ADR 0026). */
export { toIdfx } from './encode';
export { fromIdfx, IdfxError, IDFX_CAPABILITIES, IDFX_MAX_EVENTS, type IdfxRead } from './decode';
export { idfxToBundle } from './bundle';
export { IDFX_FORMAT, type IdfxSession } from './format';
export { classOfKey, keyNameOf } from './keys';
