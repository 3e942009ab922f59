// The request model: what the customer asks for (a person, urgently or not) against what they ask about.
import { describe, expect, it } from "vitest";
import { OfflineIntentClassifier } from "../server/assistant/offline-classifier.ts";
import { RequestModel } from "../server/assistant/request-model.ts";
import type { AnalyzedLanguage } from "../server/knowledge/text-analysis.ts";

const classifier = new OfflineIntentClassifier();

describe("request model", () => {
  it("ships calibrated: its held-out folds' reliability and thresholds are in the file", () => {
    const { saved } = RequestModel.load();
    expect(saved.heldOut.brier).toBeLessThan(0.05);
    expect(saved.thresholds.person).toBeGreaterThan(0.2);
    expect(saved.heldOut.falseUrgent).toBeLessThanOrEqual(0.01);
  });

  const indirect: Array<[AnalyzedLanguage, string]> = [
    ["en", "please give me a human"],
    ["en", "I dont like to talk to a machine"],
    ["fr", "Je ne veux pas parler à une machine"],
    ["fr", "Un conseiller peut-il me contacter ?"],
    ["de", "Geben Sie mir bitte einen Menschen"],
    ["de", "Kann ich jemanden aus Ihrem Team erreichen?"],
    ["es", "No quiero hablar con una máquina"],
    ["es", "¿Alguien de su equipo me puede escribir?"],
    ["pt", "Me dê um humano por favor"],
    ["pt", "Prefiro ser atendido por uma pessoa"],
    ["it", "Datemi un umano per favore"],
    ["it", "Preferisco che mi risponda una persona"],
    ["nl", "Kan iemand van jullie team me antwoorden?"],
    ["nl", "Ik word liever door een persoon geholpen"],
  ];
  it.each(indirect)("recognises an indirect request for a person in %s: %j", (language, message) => {
    expect(classifier.classify(message, [], language)).toMatchObject({ needsHuman: true, intent: "human_request" });
  });

  // A request's words in another sense: a price per person, a merchant refunding their own customer.
  const questions: Array<[AnalyzedLanguage, string]> = [
    ["en", "is there a cheaper option for one person"],
    ["en", "give money back to a customer who paid online"],
    ["fr", "Quel est le prix pour une personne seule ?"],
    ["de", "Was kostet der Tarif für eine Person?"],
    ["es", "¿Cuál es el precio por persona?"],
    ["pt", "Qual é o preço por pessoa?"],
    ["it", "Qual è il prezzo per una persona?"],
  ];
  it.each(questions)("takes a question that only uses a request's words for a question, not a request, in %s: %j", (language, message) => {
    expect(classifier.classify(message, [], language)).toMatchObject({ needsHuman: false });
  });

  it("takes a message of words it never saw for a question, not a request (only words are evidence)", () => {
    expect(classifier.classify("frobnitz quuxlet zorblat").needsHuman).toBe(false);
  });

  it("flags urgent only on evidence, never a question for a product word", () => {
    for (const message of ["what programming knowledge do I need to learn?", "how do I set up the mobile app for my team"]) {
      expect(classifier.classify(message).intent, message).not.toBe("urgent_problem");
    }
    expect(classifier.classify("my account has been hacked")).toMatchObject({ needsHuman: true, intent: "urgent_problem" });
  });
});
