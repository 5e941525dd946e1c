import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerType, askedKind, countedNoun, fitsMeasure, isRelativePeriod, isTimeOfDay, kindOf, measureOf, usedAsVerb, type AnswerType } from '../src/answers/answer-type.js';
import { parseTextArticle } from '../src/articles/parse-text.js';
import { typedSpans, type TypedSpan } from '../src/articles/spans.js';

const SEED_FILE = path.resolve('seeds/000_82d2434843c5b133.txt');
const SEED = parseTextArticle(readFileSync(SEED_FILE, 'utf8'), path.basename(SEED_FILE));
const QUESTIONS: { article_id: string; question: string; answers: string[]; gold_paragraphs: number[]; type: string; answerable: boolean }[] = readFileSync(
  'tests/everyday/questions.jsonl',
  'utf8',
)
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line));
/** The dev articles the everyday questions ask about, when this machine has them. */
const DEV_ARTICLES = '/work/shared/eval/dev/news_articles.jsonl';

/** "type:text" of each span, for readable expectations. */
const spans = (paragraph: string) => typedSpans(paragraph).map((s) => `${s.type}:${s.text}`);
const seedParagraph = (start: string) => SEED.paragraphs.find((p) => p.startsWith(start))!;

describe('typedSpans', () => {
  it('finds the people, places, dates and numbers of the seed article', () => {
    expect(spans(seedParagraph('He said Russian Admiral'))).toEqual(
      expect.arrayContaining(['person:Igor Kostyukov', 'place:Moscow', 'person:Kirill Dmitriev', 'person:Steve Witkoff', 'person:Donald Trump']),
    );
    expect(spans(seedParagraph('MOSCOW'))).toEqual(expect.arrayContaining(['place:Abu Dhabi', 'date:Jan 23', 'place:Ukraine', 'person:Vladimir Putin']));
    expect(spans(seedParagraph('Kremlin aide'))).toEqual(expect.arrayContaining(['person:Yuri Ushakov', 'date:midnight', 'number:four hours']));
    expect(spans(seedParagraph('On the US side'))).toEqual(
      expect.arrayContaining(['person:Jared Kushner', 'person:Josh Gruenbaum', 'date:early December 2025', 'name:Board of Peace']),
    );
    expect(spans(seedParagraph('The talks were the latest'))).toEqual(expect.arrayContaining(['place:Europe', 'name:World War II', 'number:fourth year']));
  });

  it('strips titles and honorifics from people, and finds bare surnames of names found in the paragraph', () => {
    expect(spans('He said Russian Admiral Igor Kostyukov would head the team, and Kostyukov agreed.')).toEqual([
      'person:Igor Kostyukov',
      'person:Kostyukov',
    ]);
    expect(spans('Mr Ushakov said Mr Putin underlined it.')).toEqual(['person:Ushakov', 'person:Putin']);
    expect(spans('Avalanche winger Artturi Lehkonen scored the winner.')).toContain('person:Artturi Lehkonen');
  });

  it('takes a name the lexicon does not know for a person when it does something to her or his own, and its surname after it', () => {
    expect(spans('In the women’s contest, Miki Sudo won her eighth championship. Sudo has now won eight titles.')).toEqual(
      expect.arrayContaining(['person:Miki Sudo', 'person:Sudo']),
    );
    expect(spans('Bank of America told her the loan was approved.')).toEqual(['name:Bank of America']);
    expect(spans('Coney Island Boardwalk hosted the contest.')).toEqual(['name:Coney Island Boardwalk']);
  });

  it('gives offsets into the paragraph, without overlaps, in order', () => {
    for (const paragraph of SEED.paragraphs) {
      const found = typedSpans(paragraph);
      found.forEach((span: TypedSpan, i) => {
        expect(paragraph.slice(span.start, span.end)).toBe(span.text);
        if (i > 0) expect(span.start).toBeGreaterThanOrEqual(found[i - 1]!.end);
      });
    }
  });

  it('finds dates in both orders, weekdays, years and relative days', () => {
    expect(spans('Talks on January 23, 2026 and 23 January, then December 2025; on Sunday, last week, in early December, yesterday, in 2001.')).toEqual([
      'date:January 23, 2026',
      'date:23 January',
      'date:December 2025',
      'date:Sunday',
      'date:last week',
      'date:early December',
      'date:yesterday',
      'date:2001',
    ]);
    expect(spans('The contract expires at 12:01 am August 1.')).toEqual(['date:12:01 am August 1']);
    expect(spans('He may resign; she will march on.')).toEqual([]);
  });

  it('finds numbers with their currency, rate, percentage or unit noun', () => {
    expect(spans('The wage rises to $15 an hour; the deal is worth $1.2 billion, or US$5 each, about £10 or 10 dollars.')).toEqual([
      'number:$15 an hour',
      'number:$1.2 billion',
      'number:US$5',
      'number:£10',
      'number:10 dollars',
    ]);
    expect(spans('Prices rose 4.5% in May, 4.5 percent in June and four percent in July.')).toEqual(
      expect.arrayContaining(['number:4.5%', 'number:4.5 percent', 'number:four percent']),
    );
    expect(spans('There were twenty-two people, a dozen eggs and hundreds more.')).toEqual(['number:twenty-two people', 'number:a dozen eggs', 'number:hundreds']);
    expect(spans('About 3 million people and 212 passengers; it is the second season, and she was aged 45, a 45-year-old nurse.')).toEqual([
      'number:3 million people',
      'number:212 passengers',
      'number:second season',
      'number:aged 45',
      'number:45-year-old',
    ]);
    expect(spans('The talks lasted some four hours with three US envoys.')).toEqual(['number:four hours', 'number:three US envoys']);
  });

  it('finds places by lexicon and after "in", "at", "from"', () => {
    expect(spans('He flew from New York to Los Angeles, then Hong Kong, the Middle East and the Gulf of Mexico, and a store in Altadena.')).toEqual([
      'place:New York',
      'place:Los Angeles',
      'place:Hong Kong',
      'place:Middle East',
      'place:Gulf of Mexico',
      'place:Altadena',
    ]);
    expect(spans('The tracks are in Dinosaur Valley State Park, near Los Angeles County.')).toEqual(['place:Dinosaur Valley State Park', 'place:Los Angeles County']);
  });

  it('finds other names: organisations, teams, quoted titles, not sentence-initial words', () => {
    expect(spans('Netflix announced Sunday that “Squid Game” will return. The World Health Organization and the Colorado Avalanche agreed. But he said no.')).toEqual([
      'name:Netflix',
      'date:Sunday',
      'name:Squid Game',
      'name:World Health Organization',
      'name:Colorado Avalanche',
    ]);
    expect(spans('The new name of the meatball sub is "The Boss" and it sells.')).toEqual(['name:The Boss']);
    expect(spans('It was a long day. But He said they stayed.')).toEqual([]);
  });

  it('takes no abbreviation of a common noun for a name: "SUV", "AI", "CEO"', () => {
    expect(spans('Tesla showed its AI robot, Optimus, beside the new SUV. The CEO of Ford watched with NASA.')).toEqual(['name:Tesla', 'name:Optimus', 'name:Ford', 'name:NASA']);
    // Written as a name, the same letters are one: the artist Ai Weiwei, then "Ai" alone.
    expect(spans('The artist Ai Weiwei spoke on Monday. Later, Ai said the show would go on.').filter((span) => span.endsWith(':Ai'))).toHaveLength(1);
  });

  it('keeps a name after "St." or "Mt." whole, and no person in it', () => {
    expect(spans('The last time was when the St. Louis Blues won in 2019.')).toEqual(['name:St. Louis Blues', 'date:2019']);
    expect(spans('They reached Mt. Everest in May. It was in the U.S. Officials said so.')).toEqual(['name:Mt. Everest', 'date:May', 'place:U.S.']);
  });

  it('returns on adversarial input (every expression is linear)', () => {
    const length = 50_000;
    const repeated = (unit: string) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
    const inputs = [
      'Aaa Bbb ', 'Aaa, ', 'Aaa. ', 'J.P. Aaa ', '1,', '1, ', '1', 'the of the ', 'Board of the ', '"', '“', '“Aaa ', 'John Smith said ',
      'in Aaa ', 'January 23, ', 'early ', '$1 ', 'US$', '.', 'a-', "a'", 'A & ', 'four ', 'first ', 'aged ', 'which what who is the of ', 'a',
      'Monday, ', 'Monday ', '“A” ', 'A.B. ', 'St. ', 'Mr Aaa Bbb of the US and Ccc in Ddd on Jan 5 2020 $5 ',
    ].map(repeated);
    for (const input of inputs) {
      expect(Array.isArray(typedSpans(input))).toBe(true);
      expect(typeof answerType(input)).toBe('string');
      expect(typeof answerType(`what ${input}?`)).toBe('string');
    }
  });
});

describe('answerType', () => {
  const expectTypes = (cases: [string, AnswerType][]) => {
    for (const [question, type] of cases) expect(answerType(question), question).toBe(type);
  };

  it('reads casual questions', () => {
    const cases: [string, AnswerType][] = [
      ['so when do the three way talks start', 'date'],
      ["who's handling the money side for russia", 'person'],
      ['anyone know who trumps main enovy is', 'person'],
      ['which alaska city was the earlier summit in', 'place'],
      ['wait how long has the war been going now', 'number'],
      ["whats the new minimum wage", 'number'],
      ['wich subaru is basically the same car?', 'name'],
      ["what's the name of ukraine's first lady", 'person'],
      ['what did zelensky say about the abu dhabi talks?', 'none'],
      ['is gronk doing tv now that he is retired', 'none'],
      ['why are bed bath stores cutting the ac', 'none'],
      ['wheres the buffett lunch actually happening', 'place'],
      ['what time did the putin sitdown kick off?', 'date'],
      ['ok but which show took best play at the tonys', 'name'],
      ['US first lady Jill Biden met with the first lady of which country this week?', 'place'],
      ['whats the jackson mayors name', 'person'],
      ['whos josh gruenbaum', 'none'],
      ['who is Kirill Dmitriev?', 'none'],
      ['who is the kremlin aide', 'person'],
      ['who is running moscow\'s side', 'person'],
      ['who is in charge of the talks', 'person'],
      ['who was president then', 'person'],
      ["who'd truss beat to get the top job", 'person'],
    ];
    expectTypes(cases);
  });

  it('reads a question without a wh-word by its head noun', () => {
    const cases: [string, AnswerType][] = [
      ['squid game watch hours in the first month?', 'number'],
      ['squid game s2 release date?', 'date'],
      ['strike date for ups workers', 'date'],
      ['oak fire shelter location?', 'place'],
      ['teamsters boss name?', 'person'],
      ['name of the ship that sank?', 'name'],
      ['name of the kremlin aide?', 'person'],
      ['patriot front boss arrested in idaho - name?', 'person'],
      ['the new subway sandwich lineup - name?', 'name'],
      ['what alert level did japan put out', 'number'],
      ["where'd hurricane roslyn come ashore", 'place'],
      ["olivia newton-john's age when she passed?", 'number'],
      ['the city where the talks happen?', 'place'],
      ['ups strike news', 'none'],
      ['is the ups strike date set', 'none'],
    ];
    expectTypes(cases);
  });

  it('types the everyday questions as labelled', () => {
    const wrong = QUESTIONS.filter((q) => answerType(q.question) !== (q.type === 'other' ? 'none' : q.type));
    const accuracy = 1 - wrong.length / QUESTIONS.length;
    // 0.98 when written (188 of 191); the misses need world knowledge ("who owns linkedin" asks for a company).
    expect(accuracy, wrong.map((q) => `${q.type}: ${q.question} → ${answerType(q.question)}`).join('\n')).toBeGreaterThanOrEqual(0.93);
  });
});

describe('spans and answer types together', () => {
  /** Whether a gold paragraph has a span of the question's type that overlaps an answer. */
  const spanOfTypeOverlapsAnswer = (paragraphs: string[], q: (typeof QUESTIONS)[number]) =>
    q.gold_paragraphs.some((i) => {
      const paragraph = paragraphs[i] ?? '';
      return q.answers.some((answer) => {
        const at = paragraph.toLowerCase().indexOf(answer.toLowerCase());
        return at >= 0 && typedSpans(paragraph).some((s) => s.type === q.type && s.start < at + answer.length && s.end > at);
      });
    });
  const typedAnswerable = QUESTIONS.filter((q) => q.answerable && q.type !== 'other');

  it('has a span of the asked type on every answer of the seed questions', () => {
    const missed = typedAnswerable.filter((q) => q.article_id === SEED.id && !spanOfTypeOverlapsAnswer(SEED.paragraphs, q));
    expect(missed.map((q) => q.question)).toEqual([]);
  });

  it.runIf(existsSync(DEV_ARTICLES))('has a span of the asked type on the answers of the dev articles', () => {
    const articles = new Map<string, string[]>(
      readFileSync(DEV_ARTICLES, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: string; text: string })
        .map((a) => [a.id, a.text.split(/\n\s*\n/)]),
    );
    const asked = typedAnswerable.filter((q) => articles.has(q.article_id));
    const found = asked.filter((q) => spanOfTypeOverlapsAnswer(articles.get(q.article_id)!, q));
    // 115 of 115 when written.
    expect(found.length / asked.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('names inside quotes and with a lower-case article', () => {
  it('leaves the comma that American style puts inside quotes out of a title, and keeps "al" in al Qaeda', () => {
    const texts = (paragraph: string) => typedSpans(paragraph).map((s) => s.text);
    expect(texts('The film version of “Grease,” which starred Olivia Newton-John, was a hit.')).toContain('Grease');
    expect(texts('A US strike killed the leader of al Qaeda in Kabul.')).toContain('al Qaeda');
  });
});

describe('verbs in a question', () => {
  it('tells a verb by its form or the word before it, and a noun that WordNet also knows as a verb', () => {
    expect(usedAsVerb('made', 'who')).toBe(true);
    expect(usedAsVerb('owns', 'who')).toBe(true);
    expect(usedAsVerb('host', 'will')).toBe(true);
    expect(usedAsVerb('number', 'inflation')).toBe(false);
    expect(usedAsVerb('title', 'the')).toBe(false);
  });
});

describe('what a number answers', () => {
  it('finds the noun a "how many" question counts', () => {
    expect(countedNoun('how many countries did mack fly through')).toBe('countries');
    expect(countedNoun('So how many new credit cards did people open?')).toBe('cards');
    expect(countedNoun('how old is sunak')).toBeUndefined();
  });

  it('tells a period named relative to the article\'s date from one named by itself', () => {
    for (const period of ['next week', 'this month', 'last year', 'early next week', 'Next Week']) expect(isRelativePeriod(period), period).toBe(true);
    for (const date of ['September 14', 'Sunday', 'next Monday', 'June 2022', 'week 3']) expect(isRelativePeriod(date), date).toBe(false);
  });

  it('tells a time of day from a day', () => {
    for (const time of ['midnight', 'shortly before midnight', '8:05 p.m.', 'around 9 a.m.']) expect(isTimeOfDay(time), time).toBe(true);
    for (const day of ['Jan 23', 'Sunday', 'yesterday', 'early December 2025', 'Monday night']) expect(isTimeOfDay(day), day).toBe(false);
    expect(measureOf('what time did the meeting start')).toBe('clock');
    expect(measureOf('when did the meeting start')).toBeUndefined();
  });

  it('takes an age only from a bare number or words of age', () => {
    expect(fitsMeasure('38', 'age')).toBe(true);
    expect(fitsMeasure('age of 42', 'age')).toBe(true);
    expect(fitsMeasure('a 17-year-old', 'age')).toBe(true);
    expect(fitsMeasure('100 Conservative members', 'age')).toBe(false);
    expect(measureOf("olivia newton-john's age when she passed?")).toBe('age');
  });

  it('reads "what does it cost" as a price, and never takes a rank for a quantity', () => {
    expect(measureOf('what does a google share cost after the split')).toBe('amount');
    expect(measureOf('what caused the cost overruns')).toBeUndefined();
    expect(fitsMeasure('221 seconds', 'duration')).toBe(true);
    expect(fitsMeasure('second place', 'duration')).toBe(false);
    expect(fitsMeasure('3rd day', 'duration')).toBe(false);
  });
});

describe('what kind of place or name a question asks for', () => {
  it('reads the class noun of "which country / city / state", possessive and in-place questions included', () => {
    const asked: [string, string | undefined][] = [
      ['Which country’s lawmakers have urged officials to show no leniency?', 'country'],
      ['Liz Truss became the new prime minister of which country this week?', 'country'],
      ['which town sold the billion dollar ticket', 'city'],
      ['Dozens were missing after flooding in which state?', 'region'],
      ['Where did the launch occur?', undefined],
      ['Which company makes it?', 'organization'],
      // A verb after the class noun is not a second noun: "hosts" is not a host.
      ['so which city hosts the talks', 'city'],
      ['Which wildly popular show was green lit for a new season?', 'work'],
      ['which person runs it', undefined],
    ];
    for (const [question, kind] of asked) expect(askedKind(question), question).toBe(kind);
    expect(answerType('so which city hosts the talks')).toBe('place');
  });

  it('knows the kind of a place or name the lexicon knows, and says nothing of one it does not', () => {
    const known: [string, string | undefined][] = [
      ['Iran', 'country'],
      ['Tehran', 'city'],
      ['Moscow’s', 'city'],
      ['the US', 'country'],
      ['Virginia', 'region'],
      ['Whitewood', undefined],
      ['Toyota', 'organization'],
      ['Gavin Newsom', undefined],
    ];
    for (const [name, kind] of known) expect(kindOf(name), name).toBe(kind);
  });
});
