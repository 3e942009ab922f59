// Types of pglite-template.mjs (plain JavaScript, so the build can make the template).
export declare function templateDir(): string;
export declare function createInThread(dir: string): Promise<void>;
export declare function ensureTemplate(): Promise<string>;
export declare function createDatabase(dir: string): Promise<void>;
