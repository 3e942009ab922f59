// The console's settings form: a workspace's policy as form fields, and a posted form back as the
// settings to change. A value equal to the policy file's is no override: it returns to the default.
import { AssistantPolicy, type RoutingRule } from "../assistant/policy.ts";
import { LANGUAGES, languageName } from "../i18n/catalog.ts";
import type { PolicyOverrides, SettingName } from "../settings/workspace-settings.ts";

/** The settings the console edits; the time budgets stay with the operator's policy file. */
export const EDITABLE: SettingName[] = [
  "company_name",
  "help_center_name",
  "tone",
  "team_language",
  "escalation_triggers",
  "max_turns_before_escalate",
  "sentiment_monitoring",
  "reply_mode",
  "learning",
  "synonyms",
  "routing",
];

/** What a routing rule can look at, as the form offers it. */
export const RULE_CONDITIONS = ["reason", "intent", "priority", "segment", "tag"] as const;
type Condition = (typeof RULE_CONDITIONS)[number];

/** Blank rule rows the form offers beyond the rules there are. */
const SPARE_RULES = 2;

const lines = (text: unknown) =>
  String(text ?? "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);

export interface RuleRow {
  index: number;
  condition: Condition | "";
  value: string;
  teamId: string;
}

export function formOf(policy: AssistantPolicy) {
  const rules: RuleRow[] = policy.routing.rules.map((rule, index) => {
    const condition = RULE_CONDITIONS.find((name) => rule.when[name] !== undefined) ?? "";
    return { index, condition, value: condition ? String(rule.when[condition]) : "", teamId: rule.team_id };
  });
  for (let i = 0; i < SPARE_RULES; i++) rules.push({ index: rules.length, condition: "", value: "", teamId: "" });
  return {
    company_name: policy.company_name,
    help_center_name: policy.help_center_name,
    tone: policy.tone,
    // Each language named in itself, as a teammate looks for their own.
    team_languages: LANGUAGES.map((language) => ({ value: language, name: languageName(language, language), selected: language === policy.team_language })),
    escalation_triggers: policy.escalation_triggers.join("\n"),
    max_turns_before_escalate: policy.max_turns_before_escalate,
    sentiment_monitoring: policy.sentiment_monitoring,
    reply_mode: policy.reply_mode,
    learning: policy.learning,
    synonyms: policy.synonyms.map((group) => group.join(", ")).join("\n"),
    default_team_id: policy.routing.default_team_id ?? "",
    rules,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The posted form as changes: `set` for values that differ from the policy file's, `reset` for
 * the ones that equal it. Throws the schema's error when a value is not allowed.
 */
export function changesFromForm(body: Record<string, unknown>, defaults: AssistantPolicy): { set: PolicyOverrides; reset: SettingName[] } {
  const rules: RoutingRule[] = [];
  for (let i = 0; body[`rule_condition_${i}`] !== undefined; i++) {
    const condition = String(body[`rule_condition_${i}`]) as Condition | "";
    const value = String(body[`rule_value_${i}`] ?? "").trim();
    const teamId = String(body[`rule_team_${i}`] ?? "").trim();
    if (!condition || !value || !teamId) continue;
    rules.push({ when: { [condition]: value }, team_id: teamId });
  }
  const posted = {
    company_name: String(body.company_name ?? "").trim(),
    help_center_name: String(body.help_center_name ?? "").trim(),
    tone: String(body.tone ?? "").trim(),
    team_language: body.team_language,
    escalation_triggers: lines(body.escalation_triggers),
    max_turns_before_escalate: Number(body.max_turns_before_escalate),
    sentiment_monitoring: body.sentiment_monitoring === "on",
    reply_mode: body.reply_mode,
    learning: body.learning,
    synonyms: lines(body.synonyms).map((line) =>
      line
        .split(",")
        .map((phrase) => phrase.trim())
        .filter(Boolean),
    ),
    routing: { rules, default_team_id: String(body.default_team_id ?? "") || null },
  };
  // Validated whole, as the policy it would make: the error names the field.
  const policy = AssistantPolicy.parse({ ...defaults, ...posted });
  const set: Record<string, unknown> = {};
  const reset: SettingName[] = [];
  for (const name of EDITABLE) {
    if (same(policy[name], defaults[name])) reset.push(name);
    else set[name] = policy[name];
  }
  return { set: set as PolicyOverrides, reset };
}
