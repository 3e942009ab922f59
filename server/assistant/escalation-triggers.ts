// Phrases that mean "get me a person" whatever else the message says. Admin-configured trigger
// phrases (the policy's `escalation_triggers`) are matched as whole words, ignoring case and
// accents; the patterns below catch the common ways people say the same things, in English and in
// each catalog language (asking for a person, a refund, closing the account, fraud).
import { foldText } from "../knowledge/text-analysis.ts";

export interface TriggerMatch {
  trigger: string;
  kind: "human_request" | "urgent_problem";
}

const PATTERNS: Array<[RegExp, TriggerMatch["kind"]]> = [
  [/\b(talk|speak|chat|connect|put me through|transfer|escalate)\b.{0,30}\b(human|person|someone|somebody|agent|representative|rep|manager|supervisor|team|sales|people|operator|staff|(?<!\b(?:you|it|they|we|does|do) )support|employee)\b/i, "human_request"],
  [/\b(real|live|actual)\s+(person|human|agent|support)\b/i, "human_request"],
  [/^\s*(human|agent|operator|representative)( please)?[.!?]*\s*$/i, "human_request"],
  [/\b(human|person|employee|agent)\b.{0,20}\b(support|assist|help)\b|\b(get|need|want|have) (a |an )?(human|person|employee|agent)\b/i, "human_request"],
  // The customer's own money: "give money back to a customer" is how an invoicing customer refunds theirs.
  [/\b(refund me|(want|like|need|get|request|apply for) (a|an|my) (\w+ )?refund|(my|our) money back|(want|get|need) (the )?money back|^\s*money back|(want|like|need|get) (it |this |that |(a|an|my|the) \w+ )?refunded)\b/i, "human_request"],
  // "Reimburse a client" is invoicing: only the customer's own money, returned to them, is a refund.
  [/\b(reimburse (me|us)|(my|that|the) money (returned|refunded))\b/i, "human_request"],
  [/\b(cancel(l?ing)?|clos(e|ing)|delet(e|ing)|terminat(e|ing))\b.{0,20}\b(account|subscription)s?\b/i, "human_request"],
  // Removing is also what one does to a user or a card "from my account": only the account itself counts.
  [/\b(remov(e|ing)|get rid of) (my|our|the|this) (account|subscription)s?\b/i, "human_request"],
  // "Sales tax" is a tax, and a quote is something an invoicing customer writes themselves: only asking for one is sales.
  [/\b(sales(?! tax)|(get|request|want|need) a (price )?quote|(book|schedule|get|have) a demo)\b/i, "human_request"],
  [/\b(call me|call back|phone number|book a call|schedule a call)\b/i, "human_request"],
  [/\b(a|the|sales|phone|video) ?call\b|\bcall (with|please)\b|\b(want|like) to call\b/i, "human_request"],
  [/\b(buy|purchase|sign me up)\b/i, "human_request"],
  // An outage reported as such: "the app is down for all of us", "an outage".
  [/\b(is|are|went|been) down (for|since|again)\b|\b(an|the) outage\b/i, "urgent_problem"],
  [/\b(hacked|fraud|compromised|didn'?t make|did not make|don'?t recogni[sz]e|not recogni[sz]ed|unauthori[sz]ed)\b/i, "urgent_problem"],
  [/\b(did ?n[o']t (do|make|authori[sz]e)|don'?t know where (this|that) (transaction|payment|charge)|someone (is using|used) my (account|card))\b/i, "urgent_problem"],
  [/\b(useless|pointless|not help(ing|ful)|can'?t help|cannot help|doesn'?t help|does not help|didn'?t help|this doesn'?t help)\b/i, "urgent_problem"],
  [/^\s*(exit|quit|stop|enough)[.!?]*\s*$/i, "urgent_problem"],
  [/\b(stop this|leading (to )?nothing|going nowhere|that'?s it\?|nothing else\?|you cant|you can'?t|can'?t do what i want|don'?t think you can)\b/i, "urgent_problem"],
];

/**
 * The same requests in the other catalog languages, matched on the message without accents and in
 * lower case ("résilier" as "resilier", "zurück" as "zuruck"). Cancelling or refunding needs its
 * object: "annuler une facture" is a question, "résilier mon abonnement" is a request.
 */
const OTHER_LANGUAGES: Array<[RegExp, TriggerMatch["kind"]]> = [
  // French
  [/\b(parler|discuter|joindre|contacter|passer|passez[- ]moi|mettez[- ]moi en (contact|relation)( avec)?|avoir)\b.{0,30}\b(humain|personne|quelqu'?un|conseill[eè]re?|agent|operat(eur|rice)|service client)\b/, "human_request"],
  [/\b(vraie?|veritable) (personne|humain|conseill[eè]re?)\b|\bun (etre )?humain\b/, "human_request"],
  [/\b(remboursez[- ]moi|me rembourser|(etre|soit) rembourse|demande de remboursement|recuperer mon argent|je (veux|voudrais|souhaite|demande) (un |le |mon |etre )?rembourse)/, "human_request"],
  [/\b(annul|resili|ferm|supprim|clotur)\w*\b.{0,20}\b(compte|abonnement)\b/, "human_request"],
  [/\bdesinscri\w*[- ]moi\b|\bsupprime[zr]? (toutes )?mes donnees\b|\b(membre|quelqu'?un) (de votre equipe|du support|du service client)\b/, "human_request"],
  [/\b(rappelez[- ]moi|me rappeler|appelez[- ]moi|rendez-vous telephonique|appel telephonique)\b|\b(un|le|du|au) (service )?commercial\b/, "human_request"],
  [/\b(pirate|fraude|frauduleu(x|se)|je ne reconnais pas|non autorise|pas fait ce (paiement|virement|retrait)|sans (mon )?(accord|autorisation)|quelqu'un a utilise (ma|mon) (carte|compte))/, "urgent_problem"],
  [/\b(ne m'aide pas|ne m'aidez pas|ne sert a rien|servez a rien|c'est inutile|c'est urgent|probleme urgent)\b/, "urgent_problem"],
  // German
  // "Einen Mitarbeiter einladen" is inviting a colleague: a Mitarbeiter is asked for only to talk to.
  [/\b(sprechen|reden|verbinden|kontaktieren|verbunden)\b.{0,30}\b(mensch(en)?|person|mitarbeiter(in)?|berater(in)?|agent|jemande?m?|kundendienst|support)\b|\b(mensch(en)?|mitarbeiter(in)?|kundendienst|support)\b.{0,30}\b(sprechen|reden|kontaktieren)\b|\b(brauche|mochte|will)\b.{0,30}\b(echten |richtigen )?(mensch(en)?|berater(in)?|kundendienst)\b/, "human_request"],
  // A refund is asked for, not asked about: "wie lange dauert eine Rückerstattung?" is a question.
  [/\b(geld zuruck|erstatten sie|mein geld wieder|(verlange|mochte|will|brauche|fordere|beantrage|hatte gerne?)\b.{0,20}\bruckerstattung|ruckerstattung (beantragen|anfordern|verlangen))\b/, "human_request"],
  [/\b(kundig|losch|schliess|beend|storn)\w*\b.{0,20}\b(konto|abo|abonnement|account|vertrag)\b|\b(konto|abo|abonnement|account|vertrag)\b.{0,20}\b(kundig|losch|schliess|beend|storn)\w*\b/, "human_request"],
  [/\b(rufen sie mich|ruckruf|zuruckrufen|ruf mich an)\b|\b(vertrieb|vorfuhrung)\b/, "human_request"],
  [/\b(gehackt|betrug|nicht autorisiert|nicht erkannt|nicht erkenne|nicht getatigt|unbekannte (abbuchung|zahlung|belastung)|ohne (meine )?(erlaubnis|zustimmung|genehmigung))\b/, "urgent_problem"],
  [/\b(hilft (mir )?nicht|nutzlos|bringt nichts|sinnlos|dringend)\b/, "urgent_problem"],
  // Spanish
  [/\b(hablar|comunicarme|comunican|contactar|pasarme|pasame|hablarlo)\b.{0,30}\b(humano|persona|alguien|agente|asesor|operador|soporte|atencion al cliente)\b|\b(persona|humano) real\b/, "human_request"],
  [/\b((quiero|solicito|pido) (un |el |mi )?reembolso|solicitar (un )?reembolso|reembolsame|reembolsenme|devuelvanme|devuelvan (mi|el) dinero|devolverme (mi|el) dinero)\b/, "human_request"],
  [/\b(cancel|cerr|cierr|elimin|borr)\w*\b.{0,20}\b(cuenta|suscripcion)\b|\b(dar|den) de baja\b/, "human_request"],
  [/\b(llamenme|llamame|me llamen|llamada telefonica|equipo de ventas|con ventas|una demo)\b/, "human_request"],
  [/\b(hackeada|hackeado|hackearon|fraude|no reconozco|no autorice|no autorizad[oa]|sin (mi )?(permiso|autorizacion|consentimiento))\b/, "urgent_problem"],
  [/\b(no me ayuda|no ayuda|no sirve|no sirves|es urgente|problema urgente)\b/, "urgent_problem"],
  // Portuguese
  [/\b(falar|conversar|contactar|contatar)\b.{0,30}\b(humano|pessoa|alguem|atendente|agente|assistente|suporte|apoio ao cliente)\b|\bpessoa (real|de verdade)\b/, "human_request"],
  [/\b((quero|peco) (um |o )?reembolso|pedir (um )?reembolso|reembolsem|devolvam o (meu )?dinheiro|quero o meu dinheiro de volta)\b/, "human_request"],
  [/\b(cancel|encerr|fech|apag|elimin)\w*\b.{0,20}\b(conta|assinatura|subscricao)\b/, "human_request"],
  [/\b(liguem[- ]me|ligue[- ]me|me liguem|chamada telefonica|equipa comercial|equipe de vendas|uma demo)\b/, "human_request"],
  // Asking for a quote is sales; making one ("preciso de enviar um orçamento") is invoicing.
  [/\b(preciso|precisamos|quero|queria|gostaria|gostariamos) (de )?(um|uma) (orcamento|cotacao|proposta comercial)\b/, "human_request"],
  [/\b(hackeada|hackeado|fraude|nao reconheco|nao autorizei|nao autorizad[oa]|sem (a minha )?(autorizacao|permissao))\b/, "urgent_problem"],
  [/\b(nao (me )?ajuda|nao serve para nada|e urgente|problema urgente)\b/, "urgent_problem"],
  // Italian
  [/\b(parlare|contattare|passarmi)\b.{0,30}\b(umano|persona|qualcuno|operatore|operatrice|agente|assistenza)\b|\b(persona reale|operatore umano)\b/, "human_request"],
  [/\b((voglio|chiedo) (un |il )?rimborso|chiedere (un )?rimborso|rimborsatemi|i miei soldi indietro|rivoglio i miei soldi)\b/, "human_request"],
  [/\b(cancell|chiud|elimin|disdi)\w*\b.{0,20}\b(account|conto|abbonamento|profilo)\b/, "human_request"],
  [/\b(richiamatemi|chiamatemi|mi chiamate|ufficio commerciale|una demo)\b/, "human_request"],
  [/\b(hackerato|frode|truffa|non riconosco|non autorizzat[oa]|senza (il mio )?(permesso|consenso|autorizzazione))\b/, "urgent_problem"],
  [/\b(non (mi )?aiuta|non serve a niente|e urgente|problema urgente)\b/, "urgent_problem"],
  // Dutch
  [/\b(spreken|praten|doorverbinden|contact)\b.{0,30}\b(mens|persoon|iemand|medewerker|agent|klantenservice)\b|\b(met|naar) (een )?(echte )?(mens|medewerker|persoon)\b/, "human_request"],
  [/\b(geld terug|(wil|graag|vraag|eis)\b.{0,20}\b(terugbetaling|terugstorting)|terugbetaling (aanvragen|aanvraag))\b/, "human_request"],
  [/\b(opzeggen|annuleren|verwijderen|sluiten|beeindigen)\b.{0,20}\b(account|abonnement)\b|\b(account|abonnement)\b.{0,20}\b(opzeggen|annuleren|verwijderen|sluiten|beeindigen)\b/, "human_request"],
  [/\b(bel me|bel mij|terugbellen|afdeling verkoop|een demo)\b/, "human_request"],
  [/\b(gehackt|fraude|niet herken|niet gedaan|onbevoegd|zonder (mijn )?toestemming)\b/, "urgent_problem"],
  [/\b(helpt (me )?niet|nutteloos|het is dringend|dringend probleem)\b/, "urgent_problem"],
  // Every language: someone to talk to, the bot not understanding, money back, the account gone,
  // a stolen card, a call, urgent help. Said in many ways; these are the words that carry it.
  // Only words that mean a person to talk to: "une personne", "un agent" or an "Ansprechpartner" may be a customer's contact.
  [/\b(personne reelle|vraie personne|etre humain|un humain|me (contacte|rappelle|telephoner)|m'appeler|appelez[- ]moi|rendez[- ]moi (mon|l') argent|recuperer (mon|l') argent|aide urgente)\b/, "human_request"],
  [/\b(einem menschen|echten person|kundenservice|mich anrufen|telefonieren|geld .{0,25}zuruck(haben|bekommen)?|konto .{0,15}(geloscht|gekundigt|geschlossen))\b/, "human_request"],
  [/\b(ser humano|un humano|persona real|me contacte|llamarme|me llamen|recuperar (el|mi) dinero|devolver (el|mi) dinero|(eliminen|borren|cierren|cancelen) mi cuenta)\b/, "human_request"],
  [/\b(ser humano|pessoa real|ligar[- ]me|me ligar|recuperar o (meu )?dinheiro|apaguem a minha conta)\b/, "human_request"],
  [/\b(essere umano|persona reale|chiamarmi|mi chiami|riavere i (miei )?soldi|eliminate il mio account)\b/, "human_request"],
  [/\b(een mens|een echt persoon|mij bellen|me bellen|mijn geld terug)\b/, "human_request"],
  [/\b(chat)?bot\b.{0,30}\b(ne comprend|comprend rien|versteht|no entiende|nao entende|non capisce|begrijpt)\b|\b(vole|volee|gestohlen|robaron|robada|roubaram|roubado|rubata|rubato|gestolen)\b|\b(dringend hilfe|hilfe dringend|ayuda urgente|ajuda urgente|aiuto urgente|dringend hulp)\b/, "urgent_problem"],
];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function matchTrigger(message: string, configured: string[] = []): TriggerMatch | undefined {
  const folded = foldText(message);
  for (const phrase of configured) {
    const wanted = foldText(phrase.trim());
    if (wanted && new RegExp(`(^|[^\\p{L}\\p{N}])${escape(wanted)}([^\\p{L}\\p{N}]|$)`, "u").test(folded)) return { trigger: phrase, kind: "human_request" };
  }
  for (const [pattern, kind] of PATTERNS) {
    const match = pattern.exec(message);
    if (match) return { trigger: match[0].trim(), kind };
  }
  for (const [pattern, kind] of OTHER_LANGUAGES) {
    const match = pattern.exec(folded);
    if (match) return { trigger: match[0].trim(), kind };
  }
  return undefined;
}
