// The rule lists the assistant ships as data files (escalation triggers per language, the support
// thesaurus, the glossary per language) load, and each file's rules are the ones that act.
import { describe, expect, it } from "vitest";
import { loadTriggerRules, matchTrigger, TRIGGER_LANGUAGES } from "../server/assistant/escalation-triggers.ts";
import { englishWordsFor, GLOSSARY_LANGUAGES, loadGlossary } from "../server/knowledge/glossary.ts";
import { BUILT_IN_THESAURUS, SUPPORT_THESAURUS } from "../server/knowledge/thesaurus.ts";

/** A request for a person and an urgent report in each language, each caught by that language's own file. */
const SAID: Record<(typeof TRIGGER_LANGUAGES)[number], [string, string]> = {
  en: ["Can I talk to a real person?", "Someone used my account, I was hacked"],
  fr: ["Je voudrais parler à un conseiller", "Je ne reconnais pas ce paiement"],
  de: ["Ich möchte mit einem Mitarbeiter sprechen", "Mein Konto wurde gehackt"],
  es: ["Quiero hablar con un agente", "No reconozco este cargo"],
  pt: ["Quero falar com um atendente", "Não reconheço esta compra"],
  it: ["Vorrei parlare con un operatore", "Non riconosco questo pagamento"],
  nl: ["Ik wil met een medewerker spreken", "Mijn account is gehackt"],
};

describe("escalation trigger files", () => {
  it.each(TRIGGER_LANGUAGES)("triggers/%s.txt loads and its rules catch a request and an urgent report", (language) => {
    const rules = loadTriggerRules(language);
    expect(rules.filter((rule) => rule.kind === "human_request").length).toBeGreaterThan(2);
    expect(rules.some((rule) => rule.kind === "urgent_problem")).toBe(true);
    const [request, urgent] = SAID[language];
    const folded = (text: string) => (language === "en" ? text : text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase());
    expect(rules.find((rule) => rule.pattern.test(folded(request)))?.kind, request).toBe("human_request");
    expect(rules.find((rule) => rule.pattern.test(folded(urgent)))?.kind, urgent).toBe("urgent_problem");
    expect(matchTrigger(request)?.kind).toBe("human_request");
    expect(matchTrigger(urgent)?.kind).toBe("urgent_problem");
  });
});

describe("the support thesaurus file", () => {
  it("loads groups of at least two phrasings, and a group widens a query with its other phrasings", () => {
    expect(SUPPORT_THESAURUS.length).toBeGreaterThan(40);
    for (const group of SUPPORT_THESAURUS) expect(group.length, group.join(", ")).toBeGreaterThan(1);
    expect(BUILT_IN_THESAURUS.expand("how much is it").denseText).toContain("price");
  });
});

describe("glossary files", () => {
  const SAID_FOR_INVOICE: Record<(typeof GLOSSARY_LANGUAGES)[number], string> = {
    fr: "Comment envoyer une facture ?",
    de: "Wie verschicke ich eine Rechnung?",
    es: "¿Cómo envío una factura?",
    pt: "Como envio uma fatura?",
    it: "Come invio una fattura?",
    nl: "Hoe verstuur ik een factuur?",
  };
  it.each(GLOSSARY_LANGUAGES)("glossary/%s.txt loads and gives a question's English words", (language) => {
    expect(loadGlossary(language).length).toBeGreaterThan(50);
    expect(englishWordsFor(SAID_FOR_INVOICE[language], language).map((entry) => entry.english)).toContain("invoice");
  });
});
