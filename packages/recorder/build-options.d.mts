import type { BuildOptions } from 'esbuild';

/** esbuild options of the published SDK (build-options.mjs). */
export declare const sdkOptions: BuildOptions;
