// esbuild options of the published SDK, shared by build.mjs and bench/recorder (which measures its size).
/**
 * Internal property names, minified like local variables (esbuild's mangleProps). Only names that
 * never appear in an option, a status, an event, a bundle or a DOM API: a name here is renamed
 * wherever it is used as a property, so the list is an allow-list, checked by the browser tests that
 * run the built file (pack.browser.test.ts).
 */
const INTERNAL = [
  'batcher', 'channel', 'clips', 'compositionKeys', 'disposed', 'fatal', 'fire', 'held', 'hooks', 'lastKey', 'lastKeyAt', 'link',
  'memoryOnly', 'onMemoryOnly', 'onOnline', 'opts', 'outbox', 'pending', 'perfBase', 'pumping', 'releaseAll', 'sealing', 'sel',
  'sender', 'sink', 'snapshotIfChanged', 'spill', 'stopRunning', 'tBase', 'timer', 'tracker', 'waiters', 'wake', 'wakeUp',
  'unsealed', 'opsSinceSnapshot', 'phase', 'shownState', 'whenSaved', 'releaseWaiters', 'setOnline', 'takeSpill', 'dropSpill',
  'syncExternal', 'checkSelection', 'startSnapshots', 'takeHostToken', 'startNow', 'markEnded', 'sealAll', 'capture', 'editor',
  'notify', 'schedule', 'model', 'prune', 'stopped', 'sealed', 'sealSoon', 'onNetwork', 'onFatal', 'onAck', 'leaving', 'startNew', 'sleep',
  'clip', 'inputMethod', 'finish', 'fail', 'hint', 'backward',
];

export const sdkOptions = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  // Class fields and `??=` as written (Chrome 85, Firefox 79, Safari 14.1): downlevelled they cost bytes.
  target: 'es2022',
  minify: true,
  mangleProps: new RegExp(`^(${INTERNAL.join('|')})$`),
  legalComments: 'none',
};
