// Customers and Help Centers rarely use the same words: "how much is it" for "plans and pricing",
// "can't log in" for "reset your password", "phone" for "mobile app". A thesaurus of everyday
// support vocabulary (domain-general, written for this product, not taken from any evaluation data)
// widens a query with the other phrasings of what it says. Admins add their own groups in the
// policy file (`synonyms`). Expansions are searched on both sides of retrieval: as extra, lighter
// terms in the lexical index and as extra words in the text that is embedded.
import { terms, words } from "./text-analysis.ts";

/** Each group lists phrasings of one idea; a query holding one of them also searches the others. */
export const SUPPORT_THESAURUS: readonly string[][] = [
  ["price", "prices", "pricing", "cost", "costs", "how much", "fee", "fees", "plan", "plans", "tariff", "rates"],
  ["expensive", "cheaper", "cheap", "price", "discount"],
  ["log in", "login", "logging in", "sign in", "signing in", "sign-in", "log on", "password", "locked out", "access my account"],
  ["sign up", "signup", "register", "registration", "create an account", "open an account", "get started"],
  ["phone", "smartphone", "iphone", "android", "ios", "ipad", "tablet", "mobile", "mobile app", "cell"],
  ["money back", "refund", "refunds", "reimburse", "reimbursement", "repay", "charge back"],
  ["cancel", "cancellation", "close my account", "close account", "delete my account", "terminate", "unsubscribe", "stop paying", "quit"],
  ["charged twice", "double charge", "double charged", "duplicate charge", "charged two times", "paid twice"],
  ["bill", "bills", "invoice", "invoices", "billing"],
  ["receipt", "receipts", "proof of payment"],
  ["email", "e-mail", "mail", "inbox"],
  ["pay", "payment", "payments", "paying", "checkout"],
  ["card", "credit card", "debit card", "visa", "mastercard"],
  ["bank transfer", "wire transfer", "wire", "direct deposit", "bank payment"],
  ["remove", "delete", "erase", "get rid of"],
  ["change", "update", "edit", "modify", "amend"],
  ["error", "bug", "problem", "issue", "broken", "not working", "doesn't work", "does not work", "fails", "crash", "crashes"],
  ["two-factor", "two factor", "2fa", "mfa", "authenticator", "two-step", "verification code", "security key"],
  ["export", "download", "backup", "extract"],
  ["import", "upload", "bring in", "migrate", "spreadsheet", "csv", "excel"],
  ["integrate", "integration", "integrations", "connect", "connection"],
  ["colleague", "colleagues", "coworker", "team member", "teammate", "staff", "employee", "employees", "seat", "seats", "invite"],
  ["accountant", "bookkeeper", "accounting"],
  ["notification", "notifications", "alert", "alerts", "push"],
  ["coupon", "promo code", "voucher", "discount code", "discount"],
  ["trial", "free trial", "try it", "test it", "evaluation"],
  ["tax", "taxes", "vat", "gst", "sales tax"],
  ["quote", "quotes", "estimate", "estimates", "quotation", "proposal"],
  ["owner", "ownership", "admin", "administrator", "main account"],
  ["sso", "single sign-on", "saml", "okta", "google account"],
  ["api", "api key", "developer", "rest", "endpoint", "programmatically"],
  ["webhook", "webhooks", "callback", "notify my server"],
  ["didn't get", "did not get", "not received", "never received", "didn't arrive", "did not arrive", "never arrived", "missing", "bounced"],
  ["late", "overdue", "unpaid", "outstanding", "reminder", "reminders", "chase"],
  ["recurring", "repeat", "subscription", "automatic", "every month", "monthly"],
  ["security", "secure", "safe", "encryption", "privacy", "gdpr", "data protection"],
  ["payout", "payouts", "deposit", "transfer to my bank", "when do i get paid"],
  ["currency", "currencies", "foreign", "exchange rate", "dollars", "euros", "pounds"],
  ["report", "reports", "profit", "loss", "income"],
  ["expense", "expenses", "spending", "business costs"],
  ["template", "templates", "layout", "design", "branding", "logo"],
  ["numbering", "invoice number", "sequence", "prefix"],
  ["attach", "attachment", "attachments", "pdf"],
  ["install", "installation", "download the app", "app store", "play store"],
  ["free", "no cost", "free of charge", "without paying"],
  ["language", "languages", "english", "spanish", "french", "german", "portuguese", "italian", "dutch", "japanese", "chinese", "translate", "translation", "multilingual"],
  ["tutorial", "tutorials", "guide", "guides", "how-to", "walkthrough", "course", "documentation", "docs"],
  ["community", "forum", "forums", "members"],
  ["client", "clients", "customer", "customers", "buyer", "buyers", "payer"],
  ["credit note", "credit notes", "credit memo", "credit memos", "negative invoice", "corrective invoice"],
  ["deposit", "deposits", "down payment", "advance payment", "upfront payment", "partial payment", "instalment", "installment"],
  ["timesheet", "timesheets", "hours worked", "billable hours", "time tracking"],
  ["bank feed", "bank connection", "link my bank", "connect my bank", "bank sync", "bank account"],
  ["role", "roles", "permission", "permissions", "access rights", "access level", "read-only", "read only"],
  ["automation", "automations", "automate", "zapier", "workflow", "workflows", "no-code"],
  ["scan", "scanning", "photo", "photos", "picture", "pictures", "camera", "snap"],
  ["tax return", "vat return", "tax filing", "file my taxes", "tax declaration"],
  ["sync", "syncing", "synchronise", "synchronize", "not updating", "out of date", "refresh"],
  ["difference", "differences", "different", "compare", "comparison", "versus", "vs"],
  ["deploy", "deployment", "deploying", "host", "hosting", "production", "self-host", "self-hosted", "on-premise", "on-prem"],
  ["requirements", "prerequisites", "system requirements", "compatible", "compatibility"],
  ["upgrade", "upgrading", "latest version", "new version", "release", "releases"],
  ["profile", "username", "display name", "account details"],
];

export interface QueryExpansion {
  /** Analyzed (stemmed) terms the query does not hold, each linked to the query term it stands in for. */
  lexical: Array<{ term: string; standsFor: string | undefined }>;
  /** The query, followed by the phrasings it was widened with: the text to embed. */
  denseText: string;
}

interface Phrase {
  words: string[];
  terms: string[];
}

const phraseOf = (text: string): Phrase => ({ words: words(text), terms: terms(text) });

function occursIn(haystack: string[], needle: string[]): number {
  if (needle.length === 0) return -1;
  outer: for (let start = 0; start + needle.length <= haystack.length; start++) {
    for (let i = 0; i < needle.length; i++) if (haystack[start + i] !== needle[i]) continue outer;
    return start;
  }
  return -1;
}

export class Thesaurus {
  private readonly groups: Phrase[][];

  constructor(groups: readonly (readonly string[])[]) {
    this.groups = groups.map((group) => group.map(phraseOf).filter((phrase) => phrase.words.length > 0)).filter((group) => group.length > 1);
  }

  /** The built-in thesaurus, with an admin's own groups added. */
  static withExtras(extra: readonly (readonly string[])[] = []): Thesaurus {
    return new Thesaurus([...SUPPORT_THESAURUS, ...extra]);
  }

  expand(query: string): QueryExpansion {
    const queryWords = words(query);
    const queryTerms = new Set(terms(query));
    const lexical = new Map<string, string | undefined>();
    const added: string[] = [];
    for (const group of this.groups) {
      const matched = group.filter((phrase) => occursIn(queryWords, phrase.words) >= 0);
      if (matched.length === 0) continue;
      const standsFor = matched.flatMap((phrase) => phrase.terms)[0];
      for (const phrase of group) {
        if (matched.includes(phrase)) continue;
        const fresh = phrase.terms.filter((term) => !queryTerms.has(term) && !lexical.has(term));
        if (fresh.length === 0) continue;
        for (const term of fresh) lexical.set(term, standsFor);
        added.push(phrase.words.join(" "));
      }
    }
    return {
      lexical: [...lexical].map(([term, standsFor]) => ({ term, standsFor })),
      denseText: added.length ? `${query}\n${added.join(", ")}` : query,
    };
  }
}

export const BUILT_IN_THESAURUS = Thesaurus.withExtras();
