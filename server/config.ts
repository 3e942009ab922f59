// Configuration comes from environment variables only, parsed once at start-up. A bad value stops
// the app with one line naming the variable, rather than failing later somewhere less obvious.
import { z } from "zod";
import path from "node:path";

/** An empty variable (`FOO=`) means "not set", as it does in most shells' .env files. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess((value) => (value === "" || value === undefined ? fallback : value), schema);

const HttpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

export const EnvSchema = z.object({
  PORT: withDefault(z.coerce.number().int().min(0).max(65535), 3000),
  PUBLIC_URL: optional(HttpUrl),
  DATA_DIR: withDefault(z.string().min(1), "./data"),
  INTERCOM_CLIENT_SECRET: optional(z.string().min(8, "must be the app's client secret (at least 8 characters)")),
  INTERCOM_ACCESS_TOKEN: optional(z.string().min(1)),
  INTERCOM_API_BASE_URL: withDefault(HttpUrl, "https://api.intercom.io"),
  INTERCOM_CLIENT_ID: optional(z.string().min(1)),
  INTERCOM_OAUTH_URL: withDefault(HttpUrl, "https://app.intercom.com/oauth"),
  TOKEN_ENCRYPTION_KEY: optional(z.string().min(32, "must be at least 32 characters (e.g. openssl rand -hex 32)")),
  INTERCOM_APP_ID: optional(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be the workspace's app id, e.g. abc123de")),
  OPENAI_API_KEY: optional(z.string().min(1)),
  OPENAI_BASE_URL: optional(HttpUrl),
  OPENAI_CHAT_MODEL: withDefault(z.string().min(1), "gpt-4o-mini"),
  OPENAI_EMBEDDING_MODEL: withDefault(z.string().min(1), "text-embedding-3-small"),
  MODEL_TRUST_PROBES: withDefault(z.coerce.number().int().min(20).max(1000), 100),
  MODEL_TRUST_CONCURRENCY: withDefault(z.coerce.number().int().min(1).max(64), 6),
  MODEL_TRUST_BUDGET_SECONDS: withDefault(z.coerce.number().int().min(10).max(3600), 120),
  EMBEDDER: withDefault(z.enum(["auto", "offline", "openai"]), "auto"),
  CHROMA_URL: optional(HttpUrl),
  DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// URL" })),
  ASSISTANT_CONFIG: optional(z.string().min(1)),
  ADMIN_TOKEN: optional(z.string().min(16, "must be at least 16 characters")),
  SYNC_INTERVAL_MINUTES: withDefault(z.coerce.number().int().min(1).max(7 * 24 * 60), 60),
  LOG_LEVEL: withDefault(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]), "info"),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  port: number;
  /** Where Intercom reaches this app; URLs in canvases (sheets, live canvas) are built from it. */
  publicUrl: string | undefined;
  dataDir: string;
  intercom: {
    /** Undefined means "not installed": the app then signs with a per-process secret of its own. */
    clientSecret: string | undefined;
    accessToken: string | undefined;
    apiBaseUrl: string;
    appId: string | undefined;
    /** OAuth (public app): the app's client id, Intercom's authorize page, and the key that seals stored tokens. */
    clientId: string | undefined;
    oauthUrl: string;
    tokenEncryptionKey: string | undefined;
  };
  openai: {
    apiKey: string | undefined;
    baseUrl: string | undefined;
    chatModel: string;
    embeddingModel: string;
    /** An LLM is used when a key or a base URL (e.g. a local Ollama) is given. */
    enabled: boolean;
    /**
     * Whether passages are embedded by the API too. Many OpenAI-compatible servers (a vLLM serving
     * one chat model, say) have no embeddings endpoint, so the offline embedder can stay on.
     */
    embeddings: boolean;
    /** How the chat model's trust is measured on each workspace's Help Center: probes, calls in flight, and the whole run's budget. */
    trustProbes: { probes: number; concurrency: number; budgetMs: number };
  };
  chromaUrl: string | undefined;
  /** A Postgres server; unset, the embedded PGlite database in DATA_DIR is used. */
  databaseUrl: string | undefined;
  /** How often each Help Center is re-synced (incrementally) in the background. */
  syncIntervalMinutes: number;
  /** Bearer token for the /admin endpoints. */
  adminToken: string | undefined;
  /** A JSON file with the assistant's policy (escalation triggers, thresholds, tone); defaults otherwise. */
  assistantConfigFile: string | undefined;
  logLevel: Env["LOG_LEVEL"];
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ""),
    dataDir: path.resolve(e.DATA_DIR),
    intercom: {
      clientSecret: e.INTERCOM_CLIENT_SECRET,
      accessToken: e.INTERCOM_ACCESS_TOKEN,
      apiBaseUrl: e.INTERCOM_API_BASE_URL.replace(/\/+$/, ""),
      appId: e.INTERCOM_APP_ID,
      clientId: e.INTERCOM_CLIENT_ID,
      oauthUrl: e.INTERCOM_OAUTH_URL,
      tokenEncryptionKey: e.TOKEN_ENCRYPTION_KEY,
    },
    openai: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      chatModel: e.OPENAI_CHAT_MODEL,
      embeddingModel: e.OPENAI_EMBEDDING_MODEL,
      enabled: Boolean(e.OPENAI_API_KEY || e.OPENAI_BASE_URL),
      embeddings: e.EMBEDDER === "openai" || (e.EMBEDDER === "auto" && Boolean(e.OPENAI_API_KEY || e.OPENAI_BASE_URL)),
      trustProbes: { probes: e.MODEL_TRUST_PROBES, concurrency: e.MODEL_TRUST_CONCURRENCY, budgetMs: e.MODEL_TRUST_BUDGET_SECONDS * 1000 },
    },
    chromaUrl: e.CHROMA_URL?.replace(/\/+$/, ""),
    databaseUrl: e.DATABASE_URL,
    syncIntervalMinutes: e.SYNC_INTERVAL_MINUTES,
    assistantConfigFile: e.ASSISTANT_CONFIG,
    adminToken: e.ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
  };
}
