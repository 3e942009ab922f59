// The support glossary: everyday support words in each catalog language with their English
// equivalents, written for this product (no evaluation data). A question in French, German,
// Spanish, Portuguese, Italian or Dutch to a Help Center written in English is widened with the
// English words, on both sides of retrieval, the way the thesaurus widens an English one.
// Entries are base forms, matched on stems in the question's language (so "factures", "facturer"
// and "facture" meet one entry) and without accents; a phrase may map to several English words.
import { terms, unaccented, type AnalyzedLanguage } from "./text-analysis.ts";
import type { QueryExpansion } from "./thesaurus.ts";

type Entries = ReadonlyArray<readonly [string, string]>;

const FR: Entries = [
  ["compte", "account"], ["mot de passe", "password"], ["connexion", "sign in login"], ["se connecter", "sign in log in"], ["identifiant", "login"],
  ["facture", "invoice"], ["facturer", "invoice bill"], ["facturation", "billing invoicing"], ["devis", "quote"], ["avoir", "credit note"], ["relance", "reminder"], 
  ["paiement", "payment"], ["payer", "pay"], ["carte", "card"], ["carte bancaire", "credit card"], ["virement", "bank transfer"], ["especes", "cash"],
  ["abonnement", "subscription plan"], ["forfait", "plan"], ["prix", "price pricing"], ["tarif", "price pricing"], ["combien", "how much price"], ["coute", "cost price"], ["essai", "trial"], ["gratuit", "free"],
  ["remboursement", "refund"], ["rembourser", "refund"], ["annuler", "cancel"], ["resilier", "cancel"], ["supprimer", "delete"], ["modifier", "edit change"], ["changer", "change"], ["creer", "create"], ["envoyer", "send"], ["recu", "received receipt"], ["recevoir", "receive"],
  ["exporter", "export"], ["importer", "import"], ["telecharger", "download"], ["fichier", "file"], ["tableur", "spreadsheet"], ["excel", "spreadsheet excel"], ["piece jointe", "attachment"], ["joindre", "attach"],
  ["client", "client customer"], ["equipe", "team"], ["membre", "member"], ["inviter", "invite"], ["comptable", "accountant"], ["role", "role"], ["proprietaire", "owner"],
  ["banque", "bank"], ["compte bancaire", "bank account"], ["versement", "payout"], ["devise", "currency"], ["dollars", "dollars currency"], ["euros", "euros currency"], ["taxe", "tax"], ["tva", "vat tax"], ["remise", "discount"], ["acompte", "deposit"],
  ["modele", "template"], ["logo", "logo"], ["numero", "number"], ["numerotation", "numbering"], ["recurrent", "recurring"], ["chaque mois", "monthly recurring"], ["automatique", "automatic"], 
  ["application", "app"], ["mobile", "mobile"], ["telephone", "phone"], ["portable", "phone mobile"], ["notification", "notification"], ["synchroniser", "sync"], ["e-mail", "email"], ["courriel", "email"], ["adresse", "address"],
  ["authentification a deux facteurs", "two-factor authentication"], ["double authentification", "two-factor authentication"], ["securite", "security"], ["donnees", "data"], ["rapport", "report"], ["depenses", "expenses"], ["benefices", "profit"], ["pertes", "loss"],
  ["declaration", "return"], ["integration", "integration"], ["connecter", "connect"], ["webhooks", "webhooks"], ["erreur", "error"], ["probleme", "problem"], ["ne fonctionne pas", "not working"], ["deux fois", "twice"], ["premiere", "first"],
];

const DE: Entries = [
  ["konto", "account"], ["passwort", "password"], ["kennwort", "password"], ["anmelden", "sign in log in"], ["anmeldung", "sign in login"], ["registrieren", "sign up"], ["erstellen", "create"],
  ["rechnung", "invoice"], ["rechnungen", "invoices"], ["abrechnung", "billing"], ["angebot", "quote"], ["gutschrift", "credit note"], ["mahnung", "reminder"], ["erinnerung", "reminder"], 
  ["zahlung", "payment"], ["zahlungen", "payments"], ["bezahlen", "pay"], ["bezahlt", "paid"], ["karte", "card"], ["kreditkarte", "credit card"], ["uberweisung", "bank transfer"], ["bar", "cash"], ["barzahlung", "cash"],
  ["abonnement", "subscription"], ["abo", "subscription"], ["tarif", "plan pricing"], ["tarife", "plans pricing"], ["preis", "price"], ["preise", "pricing"], ["kosten", "cost price"], ["kostet", "cost price"], ["testphase", "trial"], ["kostenlos", "free"],
  ["erstattung", "refund"], ["kundigen", "cancel"], ["loschen", "delete"], ["andern", "change edit"], ["bearbeiten", "edit"], ["senden", "send"], ["verschicken", "send"], ["erhalten", "receive"], ["empfangen", "receive"],
  ["exportieren", "export"], ["importieren", "import"], ["herunterladen", "download"], ["datei", "file"], ["tabelle", "spreadsheet"], ["anhang", "attachment"], ["anhangen", "attach"],
  ["kunde", "client customer"], ["kunden", "clients customers"], ["team", "team"], ["mitglied", "member"], ["einladen", "invite"], ["steuerberater", "accountant"], ["buchhalter", "accountant bookkeeper"], ["rolle", "role"], ["inhaber", "owner"],
  ["bank", "bank"], ["bankkonto", "bank account"], ["auszahlung", "payout"], ["wahrung", "currency"], ["steuer", "tax"], ["steuern", "taxes"], ["mehrwertsteuer", "vat tax"], ["umsatzsteuer", "vat tax"], ["rabatt", "discount"], ["anzahlung", "deposit"],
  ["vorlage", "template"], ["logo", "logo"], ["nummer", "number"], ["nummerierung", "numbering"], ["wiederkehrende", "recurring"], ["monatlich", "monthly"], ["automatisch", "automatic"], ["automatische", "automatic"], ["einrichten", "set up"],
  ["app", "app"], ["handy", "phone mobile"], ["smartphone", "phone mobile"], ["mobil", "mobile"], ["benachrichtigung", "notification"], ["synchronisieren", "sync"], ["e-mail", "email"], ["adresse", "address"],
  ["zwei-faktor-authentifizierung", "two-factor authentication"], ["sicherheit", "security"], ["daten", "data"], ["bericht", "report"], ["ausgaben", "expenses"], ["belege", "receipts"], ["gewinn", "profit"], ["verlust", "loss"],
  ["erklarung", "return"], ["integration", "integration"], ["verbinden", "connect"], ["fehler", "error"], ["problem", "problem"], ["funktioniert nicht", "not working"], ["zweimal", "twice"], ["erste", "first"],
];

const ES: Entries = [
  ["cuenta", "account"], ["contrasena", "password"], ["clave", "password"], ["iniciar sesion", "sign in log in"], ["entrar", "sign in log in"], ["registrarme", "sign up"], ["crear", "create"], 
  ["factura", "invoice"], ["facturas", "invoices"], ["facturar", "invoice bill"], ["facturacion", "billing invoicing"], ["presupuesto", "quote"], ["nota de credito", "credit note"], ["recordatorio", "reminder"], ["recordatorios", "reminders"],
  ["pago", "payment"], ["pagos", "payments"], ["pagar", "pay"], ["tarjeta", "card"], ["tarjeta de credito", "credit card"], ["transferencia", "bank transfer"], ["efectivo", "cash"],
  ["suscripcion", "subscription"], ["plan", "plan"], ["planes", "plans pricing"], ["precio", "price"], ["precios", "pricing"], ["cuesta", "cost price"], ["cuanto", "how much"], ["prueba", "trial"], ["gratis", "free"],
  ["reembolso", "refund"], ["devolver", "refund"], ["dinero", "money"], ["cancelar", "cancel"], ["eliminar", "delete"], ["borrar", "delete"], ["editar", "edit"], ["cambiar", "change"], ["enviar", "send"], ["recibir", "receive"], 
  ["exportar", "export"], ["importar", "import"], ["descargar", "download"], ["archivo", "file"], ["hoja de calculo", "spreadsheet"], ["excel", "spreadsheet excel"], ["adjunto", "attachment"], ["adjuntar", "attach"],
  ["cliente", "client customer"], ["clientes", "clients customers"], ["equipo", "team"], ["miembro", "member"], ["invitar", "invite"], ["contador", "accountant"], ["contable", "accountant"], ["rol", "role"], ["propietario", "owner"],
  ["banco", "bank"], ["cuenta bancaria", "bank account"], ["liquidacion", "payout"], ["moneda", "currency"], ["impuesto", "tax"], ["impuestos", "taxes"], ["iva", "vat tax"], ["descuento", "discount"], ["anticipo", "deposit"], ["deposito", "deposit"],
  ["plantilla", "template"], ["personalizar", "customise"], ["logo", "logo"], ["numero", "number"], ["numeracion", "numbering"], ["recurrente", "recurring"], ["cada mes", "monthly"], ["automaticos", "automatic"], ["configurar", "set up"],
  ["aplicacion", "app"], ["movil", "mobile phone"], ["telefono", "phone"], ["celular", "phone mobile"], ["notificacion", "notification"], ["sincronizar", "sync"], ["correo", "email"], ["correo electronico", "email"], ["direccion", "address"],
  ["autenticacion de dos factores", "two-factor authentication"], ["dos factores", "two-factor"], ["seguridad", "security"], ["datos", "data"], ["informe", "report"], ["gastos", "expenses"], ["recibos", "receipts"], ["ganancias", "profit"], ["perdidas", "loss"],
  ["declaracion", "return"], ["integracion", "integration"], ["conectar", "connect"], ["aceptar", "accept"], ["error", "error"], ["problema", "problem"], ["no funciona", "not working"], ["dos veces", "twice"], ["primera", "first"], 
];

const PT: Entries = [
  ["conta", "account"], ["palavra-passe", "password"], ["senha", "password"], ["iniciar sessao", "sign in log in"], ["entrar", "sign in log in"], ["criar", "create"],
  ["fatura", "invoice"], ["faturas", "invoices"], ["faturar", "invoice bill"], ["faturacao", "billing"], ["orcamento", "quote"], ["nota de credito", "credit note"], ["lembrete", "reminder"], ["lembretes", "reminders"],
  ["pagamento", "payment"], ["pagamentos", "payments"], ["pagar", "pay"], ["cartao", "card"], ["transferencia", "bank transfer"], ["dinheiro", "money cash"],
  ["assinatura", "subscription"], ["subscricao", "subscription"], ["plano", "plan"], ["preco", "price"], ["precos", "pricing"], ["custa", "cost price"], ["quanto", "how much"], ["teste", "trial"], ["gratis", "free"],
  ["reembolso", "refund"], ["cancelar", "cancel"], ["apagar", "delete"], ["eliminar", "delete"], ["editar", "edit"], ["alterar", "change"], ["enviar", "send"], ["receber", "receive"], 
  ["exportar", "export"], ["importar", "import"], ["transferir", "download"], ["baixar", "download"], ["ficheiro", "file"], ["arquivo", "file"], ["folha de calculo", "spreadsheet"], ["planilha", "spreadsheet"], ["anexo", "attachment"],
  ["cliente", "client customer"], ["clientes", "clients customers"], ["equipa", "team"], ["equipe", "team"], ["membro", "member"], ["convidar", "invite"], ["contabilista", "accountant"], ["contador", "accountant"], ["dono", "owner"],
  ["banco", "bank"], ["conta bancaria", "bank account"], ["moeda", "currency"], ["imposto", "tax"], ["impostos", "taxes"], ["iva", "vat tax"], ["desconto", "discount"], ["sinal", "deposit"],
  ["modelo", "template"], ["logotipo", "logo"], ["numero", "number"], ["numeracao", "numbering"], ["recorrentes", "recurring"], ["mensal", "monthly"], ["automaticos", "automatic"], ["configurar", "set up"],
  ["aplicacao", "app"], ["aplicativo", "app"], ["telemovel", "phone mobile"], ["celular", "phone mobile"], ["notificacao", "notification"], ["sincronizar", "sync"], ["email", "email"],
  ["autenticacao de dois fatores", "two-factor authentication"], ["seguranca", "security"], ["dados", "data"], ["relatorio", "report"], ["despesas", "expenses"], ["recibos", "receipts"], ["lucros", "profit"], ["perdas", "loss"],
  ["integracao", "integration"], ["ligar", "connect"], ["conectar", "connect"], ["erro", "error"], ["problema", "problem"], ["nao funciona", "not working"], ["duas vezes", "twice"], ["primeira", "first"],
];

const IT: Entries = [
  ["account", "account"], ["password", "password"], ["accedere", "sign in log in"], ["accesso", "sign in login"], ["registrarmi", "sign up"], ["creare", "create"],
  ["fattura", "invoice"], ["fatture", "invoices"], ["fatturare", "invoice bill"], ["fatturazione", "billing"], ["preventivo", "quote"], ["nota di credito", "credit note"], ["promemoria", "reminder"], ["sollecito", "reminder"],
  ["pagamento", "payment"], ["pagamenti", "payments"], ["pagare", "pay"], ["carta", "card"], ["carta di credito", "credit card"], ["bonifico", "bank transfer"], ["contanti", "cash"],
  ["abbonamento", "subscription"], ["piano", "plan"], ["prezzo", "price"], ["prezzi", "pricing"], ["costa", "cost price"], ["quanto", "how much"], ["prova", "trial"], ["gratis", "free"],
  ["rimborso", "refund"], ["annullare", "cancel"], ["cancellare", "delete"], ["eliminare", "delete"], ["modificare", "edit change"], ["cambiare", "change"], ["inviare", "send"], ["ricevere", "receive"], 
  ["esportare", "export"], ["importare", "import"], ["scaricare", "download"], ["file", "file"], ["foglio di calcolo", "spreadsheet"], ["allegato", "attachment"], ["allegare", "attach"],
  ["cliente", "client customer"], ["clienti", "clients customers"], ["squadra", "team"], ["team", "team"], ["membro", "member"], ["invitare", "invite"], ["commercialista", "accountant"], ["contabile", "accountant"], ["proprietario", "owner"],
  ["banca", "bank"], ["conto bancario", "bank account"], ["valuta", "currency"], ["tassa", "tax"], ["tasse", "taxes"], ["iva", "vat tax"], ["sconto", "discount"], ["acconto", "deposit"],
  ["modello", "template"], ["logo", "logo"], ["numero", "number"], ["numerazione", "numbering"], ["ricorrenti", "recurring"], ["mensile", "monthly"], ["automatici", "automatic"], ["configurare", "set up"], ["impostare", "set up"],
  ["app", "app"], ["applicazione", "app"], ["cellulare", "phone mobile"], ["telefono", "phone"], ["notifica", "notification"], ["sincronizzare", "sync"], ["email", "email"],
  ["autenticazione a due fattori", "two-factor authentication"], ["sicurezza", "security"], ["dati", "data"], ["rapporto", "report"], ["spese", "expenses"], ["ricevute", "receipts"], ["profitti", "profit"], ["perdite", "loss"],
  ["integrazione", "integration"], ["collegare", "connect"], ["errore", "error"], ["problema", "problem"], ["non funziona", "not working"], ["due volte", "twice"], ["prima", "first"],
];

const NL: Entries = [
  ["account", "account"], ["wachtwoord", "password"], ["inloggen", "sign in log in"], ["aanmelden", "sign up sign in"], ["aanmaken", "create"],
  ["factuur", "invoice"], ["facturen", "invoices"], ["factureren", "invoice bill"], ["facturatie", "billing"], ["offerte", "quote"], ["creditnota", "credit note"], ["herinnering", "reminder"], ["herinneringen", "reminders"],
  ["betaling", "payment"], ["betalingen", "payments"], ["betalen", "pay"], ["kaart", "card"], ["creditcard", "credit card"], ["overschrijving", "bank transfer"], ["contant", "cash"],
  ["abonnement", "subscription"], ["pakket", "plan"], ["prijs", "price"], ["prijzen", "pricing"], ["kost", "cost price"], ["kosten", "cost price"], ["hoeveel", "how much"], ["proefperiode", "trial"], ["gratis", "free"],
  ["terugbetaling", "refund"], ["opzeggen", "cancel"], ["annuleren", "cancel"], ["verwijderen", "delete"], ["wijzigen", "change edit"], ["aanpassen", "change edit"], ["versturen", "send"], ["sturen", "send"], ["ontvangen", "receive"],
  ["exporteren", "export"], ["importeren", "import"], ["downloaden", "download"], ["bestand", "file"], ["spreadsheet", "spreadsheet"], ["bijlage", "attachment"],
  ["klant", "client customer"], ["klanten", "clients customers"], ["team", "team"], ["teamleden", "team members"], ["uitnodigen", "invite"], ["boekhouder", "accountant bookkeeper"], ["accountant", "accountant"], ["eigenaar", "owner"],
  ["bank", "bank"], ["bankrekening", "bank account"], ["uitbetaling", "payout"], ["valuta", "currency"], ["belasting", "tax"], ["btw", "vat tax"], ["korting", "discount"], ["aanbetaling", "deposit"],
  ["sjabloon", "template"], ["logo", "logo"], ["nummer", "number"], ["nummering", "numbering"], ["terugkerende", "recurring"], ["maandelijks", "monthly"], ["automatische", "automatic"], ["instellen", "set up"],
  ["app", "app"], ["telefoon", "phone"], ["mobiel", "mobile phone"], ["melding", "notification"], ["synchroniseren", "sync"], ["e-mail", "email"],
  ["tweestapsverificatie", "two-factor authentication"], ["beveiliging", "security"], ["gegevens", "data"], ["rapport", "report"], ["uitgaven", "expenses"], ["bonnetjes", "receipts"], ["winst", "profit"], ["verlies", "loss"],
  ["aangifte", "return"], ["integratie", "integration"], ["koppelen", "connect"], ["fout", "error"], ["probleem", "problem"], ["werkt niet", "not working"], ["twee keer", "twice"], ["eerste", "first"],
];

const GLOSSARY: Partial<Record<AnalyzedLanguage, Entries>> = { fr: FR, de: DE, es: ES, pt: PT, it: IT, nl: NL };

const stemmed = new Map<AnalyzedLanguage, Array<{ stems: string[]; english: string }>>();
function entriesOf(language: AnalyzedLanguage) {
  let entries = stemmed.get(language);
  if (!entries) {
    entries = (GLOSSARY[language] ?? []).map(([phrase, english]) => ({ stems: terms(unaccented(phrase), language), english })).filter((entry) => entry.stems.length > 0);
    stemmed.set(language, entries);
  }
  return entries;
}

/**
 * German (and Dutch) join words: "Kartenzahlungen" is a kind of "Zahlung". A compound is also
 * matched by its head, the last part, when that part is a word of its own of four letters or more.
 */
const COMPOUNDING = new Set<AnalyzedLanguage>(["de", "nl"]);
const sameOrHead = (stem: string, entry: string, language: AnalyzedLanguage) => stem === entry || (COMPOUNDING.has(language) && entry.length >= 4 && stem.length >= entry.length + 3 && stem.endsWith(entry));

/** Whether an entry's stems stand at `start` in the question's (a one-word entry also as a compound's head). */
const matchesAt = (stems: string[], start: number, entry: string[], language: AnalyzedLanguage) =>
  entry.length === 1 ? sameOrHead(stems[start]!, entry[0]!, language) : entry.every((stem, i) => stems[start + i] === stem);

/** The English words a question's everyday support words stand for (each with the question's stem it stands for), or none when its language has no glossary. */
export function englishWordsFor(question: string, language: AnalyzedLanguage): Array<{ english: string; standsFor: string }> {
  const entries = entriesOf(language);
  if (!entries.length) return [];
  const stems = terms(unaccented(question), language);
  const seen = new Set<string>();
  return entries.flatMap((entry) => {
    const at = stems.findIndex((_, start) => matchesAt(stems, start, entry.stems, language));
    if (at < 0 || seen.has(entry.english)) return [];
    seen.add(entry.english);
    // It stands for the question's own word (a compound stands for itself), so coverage counts it.
    return [{ english: entry.english, standsFor: stems[at]! }];
  });
}

/** A question's thesaurus expansion, widened with the English of its words when it is asked of an English Help Center in another language. */
export function withGlossary(expansion: QueryExpansion, question: string, from: AnalyzedLanguage, to: AnalyzedLanguage): QueryExpansion {
  if (from === to || to !== "en") return expansion;
  const found = englishWordsFor(question, from);
  if (!found.length) return expansion;
  const have = new Set(expansion.lexical.map((entry) => entry.term));
  const lexical = [...expansion.lexical];
  for (const { english, standsFor } of found) {
    for (const term of terms(english)) {
      if (have.has(term)) continue;
      have.add(term);
      lexical.push({ term, standsFor });
    }
  }
  return { lexical, denseText: `${expansion.denseText}\n${found.map((entry) => entry.english).join(", ")}` };
}
