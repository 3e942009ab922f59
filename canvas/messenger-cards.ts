// The cards an end user sees in the Messenger. Wording comes in as plain strings, in the
// customer's language (the message catalog is server/i18n); this module only decides layout and
// component ids.
import { button, divider, input, list, listItem, openSheet, openUrl, option, singleSelect, submit, text, type Component } from "./components.ts";
import { canvas, type CanvasResponse } from "./responses.ts";
import type { CardState } from "./stored-data.ts";

/** Component ids: Intercom sends the clicked one back as `component_id`. */
export const ComponentIds = {
  question: "question",
  ask: "ask",
  talkToHuman: "talk_to_human",
  helpful: "helpful",
  moreHelp: "more_help",
  topic: "topic",
} as const;

/** The option id of the n-th clarification topic (n from 0). */
export const topicOptionId = (index: number) => `topic_${index}`;

/** The button id of the n-th article a choice offers (n from 0). */
export const choiceId = (index: number) => `choice_${index}`;

/** The card's own words (buttons, headings, placeholders) in the customer's language. */
export interface CardWords {
  ask: string;
  talkToHuman: string;
  helpfulArticles: string;
  thatHelped: string;
  moreHelp: string;
  popularNow: string;
  showWhere: string;
  placeholders: { question: string; followUp: string; more: string; otherWords: string; another: string };
}

export interface ArticleLink {
  title: string;
  url: string;
}

const askControls = (placeholder: string, words: CardWords): Component[] => [
  input({ id: ComponentIds.question, placeholder, save_state: "unsaved" }),
  button({ id: ComponentIds.ask, label: words.ask, action: submit(), style: "primary" }),
];

const talkToHuman = (words: CardWords): Component => button({ id: ComponentIds.talkToHuman, label: words.talkToHuman, action: submit(), style: "secondary" });

/** The first card: invites a question and says plainly who answers; lists popular articles when there are some. */
export function questionCard(view: { greeting: string; intro: string; error?: string; popular?: ArticleLink[] }, state: CardState, words: CardWords): CanvasResponse {
  const popular = view.popular?.slice(0, 3) ?? [];
  return canvas(
    [
      text(view.greeting, { style: "header" }),
      text(view.intro, { style: "muted" }),
      ...(view.error ? [text(view.error, { style: "error" })] : []),
      ...askControls(words.placeholders.question, words),
      talkToHuman(words),
      ...(popular.length
        ? [
            text(`**${words.popularNow}**`, { bottom_margin: "none" }),
            list(popular.map((article, i) => listItem({ id: `popular_${i + 1}`, title: article.title, action: openUrl(article.url) }))),
          ]
        : []),
    ],
    state,
  );
}

/** An answer with the articles it came from, a follow-up box, a way out, and feedback. */
export function answerCard(view: { answer: string; articles: ArticleLink[]; readInSheet?: string }, state: CardState, words: CardWords): CanvasResponse {
  const articles = view.articles.slice(0, 3);
  return canvas(
    [
      text(view.answer),
      ...(view.readInSheet ? [button({ id: "read_passage", label: words.showWhere, action: openSheet(view.readInSheet), style: "link" })] : []),
      ...(articles.length
        ? [
            text(`**${words.helpfulArticles}**`, { bottom_margin: "none" }),
            ...articles.map((article, index) =>
              button({ id: `article_${index + 1}`, label: article.title, action: openUrl(article.url), style: "link" }),
            ),
          ]
        : []),
      divider(),
      ...askControls(words.placeholders.followUp, words),
      talkToHuman(words),
      button({ id: ComponentIds.helpful, label: words.thatHelped, action: submit(), style: "secondary" }),
      button({ id: ComponentIds.moreHelp, label: words.moreHelp, action: submit(), style: "secondary" }),
    ],
    state,
  );
}

/** A question back to the user, with the topics it might be about when there are some. */
export function clarifyCard(message: string, topics: string[], state: CardState, words: CardWords): CanvasResponse {
  const choices: Component[] =
    topics.length >= 2
      ? [singleSelect({ id: ComponentIds.topic, options: topics.slice(0, 10).map((topic, i) => option(topicOptionId(i), topic)), action: submit() })]
      : topics.length === 1
        ? [button({ id: topicOptionId(0), label: topics[0]!, action: submit(), style: "secondary" })]
        : [];
  return canvas([text(message), ...choices, ...askControls(words.placeholders.more, words), talkToHuman(words)], state);
}

/** "Is it one of these?": the likely articles as buttons that answer from the one picked, and a way to a person. Never an answer. */
export function choiceCard(message: string, titles: string[], state: CardState, words: CardWords): CanvasResponse {
  return canvas(
    [
      text(message),
      ...titles.slice(0, 3).map((title, i) => button({ id: choiceId(i), label: title, action: submit(), style: "secondary" })),
      talkToHuman(words),
      divider(),
      ...askControls(words.placeholders.otherWords, words),
    ],
    state,
  );
}

/** A closing message (hand-off, thanks) that may still let the user ask something else, or reach a person. */
export function messageCard(message: string, state: CardState, words: CardWords, options: { offerQuestion: boolean; offerHuman?: boolean }): CanvasResponse {
  return canvas([text(message), ...(options.offerQuestion ? askControls(words.placeholders.another, words) : []), ...(options.offerHuman ? [talkToHuman(words)] : [])], state);
}
