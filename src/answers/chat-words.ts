/**
 * Chat shorthand spelled out before a question is searched: people in a Discord server type "avg
 * gas price in cali rn" and "how many ppl got sick", and the articles write "average",
 * "California" and "people". Shorthand for "right now" or a laugh carries no question and goes.
 * General English chat usage, not words of any article; ambiguous shorthand ("la", "tn") is left
 * as typed ("min" may be minimum or minutes, "gov" governor or government, a lone "u" is in "U.S.").
 */

const SPELLED_OUT: Record<string, string> = {
  avg: 'average', approx: 'approximately', abt: 'about', thru: 'through', tho: 'though', 'w/': 'with', 'w/o': 'without',
  bc: 'because', 'b/c': 'because', cuz: 'because', coz: 'because', ur: 'your', pls: 'please', plz: 'please',
  ppl: 'people', peeps: 'people', govt: 'government', "gov't": 'government', pres: 'president', prez: 'president',
  potus: 'president', scotus: 'supreme court', vp: 'vice president', qb: 'quarterback', dems: 'democrats', repubs: 'republicans',
  dept: 'department', intl: 'international', natl: 'national', admin: 'administration', info: 'information',
  mins: 'minutes', hrs: 'hours', yr: 'year', yrs: 'years', wk: 'week', wks: 'weeks', bil: 'billion', vax: 'vaccine', vaxx: 'vaccine', vaxxed: 'vaccinated', cops: 'police', cop: 'police officer',
  nom: 'nomination', noms: 'nominations', yoy: 'year over year', lvl: 'level', amt: 'amount', pct: 'percent', hq: 'headquarters', biz: 'business',
  b4: 'before', teh: 'the', prof: 'professor', profs: 'professors', wknd: 'weekend', womens: "women's", mens: "men's", childrens: "children's",
  dino: 'dinosaur', dinos: 'dinosaurs', celeb: 'celebrity', celebs: 'celebrities', convo: 'conversation', econ: 'economy', exec: 'executive', execs: 'executives',
  cali: 'california', nyc: 'new york city', sf: 'san francisco', philly: 'philadelphia', bday: 'birthday', pic: 'photo', pics: 'photos', vid: 'video',
  '2day': 'today', tmrw: 'tomorrow', tmr: 'tomorrow', '2moro': 'tomorrow', yday: 'yesterday', rn: '', atm: '', lol: '', lmao: '', smh: '', tbh: '',
  imo: '', idk: '', ngl: '', iirc: '', afaik: '',
};

const WORD = /[\p{L}\p{N}'’/]+/gu;

/** The question with chat shorthand spelled out (see `SPELLED_OUT`); every other word as typed. */
export function spelledOut(question: string): string {
  return question
    .replace(WORD, (word) => SPELLED_OUT[word.toLowerCase().replace(/’/g, "'")] ?? word)
    .replace(/\s+/g, ' ')
    .trim();
}
