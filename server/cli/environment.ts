// How every entry point (the server and the command-line tools) reads its configuration: a .env
// file in the working directory if present (real environment variables win), then the zod
// schema; a bad value ends the process with one line naming the variable.
import { existsSync } from "node:fs";
import { ConfigError, loadConfig, type Config } from "../config.ts";

export function configFromEnvironment(): Config {
  if (existsSync(".env")) process.loadEnvFile(".env");
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
