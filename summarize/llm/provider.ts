// The language model from configuration. The config loader maps LLM_PROVIDER / LLM_API_KEY / LLM_MODEL (and
// OPENAI_API_KEY / OPENAI_BASE_URL) to `LlmConfig`; this module reads no environment itself. The chat completions
// API (`provider.chat`, POST {baseURL}/chat/completions) is used rather than the SDK's default Responses API,
// because it is the one OpenAI-compatible endpoints (gateways, local servers, Azure OpenAI's v1 endpoint) all
// serve (docs/test-peers.md §4.1). `@ai-sdk/openai` is imported on first use, so a run without a key never loads it.
import type { LanguageModel } from 'ai';

export interface LlmConfig {
  provider: 'openai';
  apiKey: string;
  model: string;
  /** e.g. `https://RESOURCE.openai.azure.com/openai/v1` or `http://127.0.0.1:PORT/v1`; OpenAI's when absent. */
  baseUrl?: string | undefined;
}

/** OpenAI's own endpoint, passed explicitly so the SDK never falls back to reading OPENAI_BASE_URL itself. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** The model for a config, or null when there is none or it has no key (the templates answer then). */
export async function createModel(cfg: LlmConfig | null | undefined): Promise<LanguageModel | null> {
  if (!cfg || cfg.apiKey === '' || cfg.model === '') return null;
  const { createOpenAI } = await import('@ai-sdk/openai');
  const provider = createOpenAI({ apiKey: cfg.apiKey, baseURL: (cfg.baseUrl ?? OPENAI_BASE_URL).replace(/\/+$/, '') });
  return provider.chat(cfg.model);
}
