// Types of build.mjs (plain JavaScript, so that nothing needs building to build).
export declare const ROOT: string;
export declare const DIST: string;
export declare function sourceDigest(): Promise<string>;
export declare function isCurrent(): Promise<boolean>;
export declare function buildServer(): Promise<{ modules: number; ms: number }>;
export declare function ensureBuilt(options?: { force?: boolean }): Promise<boolean>;
