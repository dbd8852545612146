import { readFile } from "node:fs/promises";
import { CftkitError } from "@cftkit/core";
import type { QaItem } from "./qa-generation-task.js";

/** The 12 XQuAD languages (data/xquad/xquad.<lang>.json). */
export const XQUAD_LANGUAGES = [
  "ar",
  "de",
  "el",
  "en",
  "es",
  "hi",
  "ro",
  "ru",
  "th",
  "tr",
  "vi",
  "zh",
] as const;

/**
 * lm-eval's zero-shot XQuAD prompt words per language (`xquad_<lang>.yaml`:
 * `"<Context>: {{context}}\n\n<Question>: {{question}}\n\n<Answer>:"`, greedy until "\n"). Other languages
 * (MLQA contexts outside XQuAD) fall back to English.
 */
export const QA_PROMPT_WORDS: Record<string, [context: string, question: string, answer: string]> = {
  ar: ["سياق", "سؤال", "إجابة"],
  de: ["Kontext", "Frage", "Antwort"],
  el: ["Συμφραζόμενα", "Ερώτηση", "Απάντηση"],
  en: ["Context", "Question", "Answer"],
  es: ["Contexto", "Pregunta", "Respuesta"],
  hi: ["संदर्भ", "प्रश्न", "उत्तर"],
  ro: ["Context", "Întrebare", "Răspuns"],
  ru: ["Контекст", "Вопрос", "Ответ"],
  th: ["บริบท", "คำถาม", "คำตอบ"],
  tr: ["Bağlam", "Soru", "Cevap"],
  vi: ["Bối cảnh", "Câu hỏi", "Trả lời"],
  zh: ["背景", "问题", "答案"],
};

/** The zero-shot extractive-QA prompt in `language`'s words. */
export function qaPromptText(language: string, context: string, question: string): string {
  const [c, q, a] = QA_PROMPT_WORDS[language] ?? QA_PROMPT_WORDS.en!;
  return `${c}: ${context}\n\n${q}: ${question}\n\n${a}:`;
}

/**
 * QA items from a SQuAD v1.1-layout file (XQuAD `xquad.<lang>.json`, MLQA `test-context-<c>-question-<q>.json`),
 * each a single user turn with lm-eval's prompt; `limit` keeps the first N questions in file order.
 */
export async function loadSquadQaItems(
  path: string,
  options: { language: string; limit?: number },
): Promise<QaItem[]> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, "utf8"));
  } catch (cause) {
    throw new CftkitError("EVAL_BAD_DATASET", `cannot read SQuAD-layout JSON ${path}`, { cause });
  }
  const articles = (data as { data?: unknown }).data;
  if (!Array.isArray(articles))
    throw new CftkitError("EVAL_BAD_DATASET", `${path}: expected SQuAD v1.1 JSON with a "data" array`);
  const items: QaItem[] = [];
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  for (const article of articles as {
    paragraphs?: { context: string; qas: { id: string; question: string; answers: { text: string }[] }[] }[];
  }[]) {
    for (const paragraph of article.paragraphs ?? []) {
      for (const qa of paragraph.qas ?? []) {
        if (items.length >= limit) return items;
        if (typeof qa.id !== "string" || typeof qa.question !== "string" || !Array.isArray(qa.answers))
          throw new CftkitError(
            "EVAL_BAD_DATASET",
            `${path}: question ${items.length} lacks id/question/answers`,
          );
        items.push({
          id: qa.id,
          prompt: [{ role: "user", content: qaPromptText(options.language, paragraph.context, qa.question) }],
          answers: qa.answers.map((a) => a.text),
        });
      }
    }
  }
  return items;
}
