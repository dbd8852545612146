/**
 * Per-language instruction templates for SQuAD-layout QA sets (XQuAD, MLQA): the record's instruction is
 * `template + "\n\n" + context`, its input the question, its output the first gold answer.
 */
export const QA_TEMPLATES: Record<string, string> = {
  en: "Answer the question based on the passage below. Reply with a short span copied from the passage.",
  ar: "أجب عن السؤال بناءً على النص التالي. أجب بعبارة قصيرة منقولة من النص.",
  de: "Beantworte die Frage anhand des folgenden Textes. Antworte mit einer kurzen Passage aus dem Text.",
  el: "Απάντησε στην ερώτηση με βάση το παρακάτω κείμενο. Απάντησε με ένα σύντομο απόσπασμα από το κείμενο.",
  es: "Responde a la pregunta basándote en el siguiente texto. Responde con un fragmento breve copiado del texto.",
  fr: "Réponds à la question à partir du texte ci-dessous. Réponds par un court extrait copié du texte.",
  hi: "नीचे दिए गए अनुच्छेद के आधार पर प्रश्न का उत्तर दें। अनुच्छेद से लिया गया एक छोटा अंश उत्तर में दें।",
  id: "Jawablah pertanyaan berdasarkan teks di bawah ini. Jawab dengan potongan singkat yang disalin dari teks.",
  ja: "以下の文章に基づいて質問に答えてください。文章から抜き出した短い語句で答えてください。",
  ko: "아래 글을 바탕으로 질문에 답하세요. 글에서 그대로 가져온 짧은 구절로 답하세요.",
  pt: "Responda à pergunta com base no texto abaixo. Responda com um trecho curto copiado do texto.",
  ro: "Răspunde la întrebare pe baza textului de mai jos. Răspunde cu un fragment scurt copiat din text.",
  ru: "Ответь на вопрос по приведённому ниже тексту. Ответь коротким фрагментом из текста.",
  th: "ตอบคำถามโดยอ้างอิงจากข้อความด้านล่าง ตอบด้วยข้อความสั้น ๆ ที่คัดลอกมาจากข้อความ",
  tr: "Aşağıdaki metne dayanarak soruyu yanıtlayın. Metinden alınmış kısa bir ifadeyle yanıt verin.",
  vi: "Trả lời câu hỏi dựa trên đoạn văn dưới đây. Trả lời bằng một đoạn ngắn trích từ đoạn văn.",
  zh: "根据下面的文章回答问题。请用从文章中摘取的简短片段作答。",
};

/** The template for `language` (its primary subtag), English when there is none. */
export function qaTemplateFor(language: string, overrides?: string | Record<string, string>): string {
  if (typeof overrides === "string") return overrides;
  const primary = language.split("-")[0]!.toLowerCase();
  return overrides?.[language] ?? overrides?.[primary] ?? QA_TEMPLATES[primary] ?? QA_TEMPLATES.en!;
}
