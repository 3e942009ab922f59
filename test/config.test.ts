import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../server/config.ts";

describe("configuration from the environment", () => {
  it("runs on embedded defaults with nothing set", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe(path.resolve("./data"));
    expect(config.intercom.apiBaseUrl).toBe("https://api.intercom.io");
    expect(config.intercom.clientSecret).toBeUndefined();
    expect(config.chromaUrl).toBeUndefined();
    expect(config.openai.enabled).toBe(false);
    expect(config.logLevel).toBe("info");
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ PORT: "", CHROMA_URL: "", OPENAI_API_KEY: "" })).toMatchObject({ port: 3000, chromaUrl: undefined });
  });

  it("reads every documented variable", () => {
    const config = loadConfig({
      PORT: "8080",
      PUBLIC_URL: "https://assistant.example.com/",
      DATA_DIR: "/tmp/assistant",
      INTERCOM_CLIENT_SECRET: "0123456789abcdef",
      INTERCOM_ACCESS_TOKEN: "dG9rOmFiYw==",
      INTERCOM_API_BASE_URL: "http://127.0.0.1:9999",
      INTERCOM_APP_ID: "ecahpwf5",
      OPENAI_BASE_URL: "http://127.0.0.1:11434/v1",
      OPENAI_CHAT_MODEL: "llama3.1",
      OPENAI_EMBEDDING_MODEL: "nomic-embed-text",
      CHROMA_URL: "http://127.0.0.1:8000",
      LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({
      port: 8080,
      publicUrl: "https://assistant.example.com",
      dataDir: "/tmp/assistant",
      intercom: { clientSecret: "0123456789abcdef", apiBaseUrl: "http://127.0.0.1:9999", appId: "ecahpwf5" },
      openai: { enabled: true, embeddings: true, chatModel: "llama3.1", embeddingModel: "nomic-embed-text" },
      chromaUrl: "http://127.0.0.1:8000",
      logLevel: "debug",
    });
  });

  it("keeps the offline embedder beside an LLM when EMBEDDER=offline", () => {
    const config = loadConfig({ OPENAI_BASE_URL: "http://127.0.0.1:8000/v1", EMBEDDER: "offline" });
    expect(config.openai).toMatchObject({ enabled: true, embeddings: false });
  });

  it.each([
    ["EMBEDDER", "word2vec"],
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["PUBLIC_URL", "not a url"],
    ["CHROMA_URL", "ftp://chroma.example"],
    ["LOG_LEVEL", "loud"],
    ["INTERCOM_CLIENT_SECRET", "short"],
  ])("stops with one line naming %s when it is %j", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid environment variable ${name}: `));
  });
});
