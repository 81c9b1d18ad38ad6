import type { Rng } from './prng';

const WORDS = (
  'the of and to in is that it was for on are as with his they at be this from have or by one had not but what all were when we there ' +
  'can an your which their said if do will each about how up out them then she many some so these would other into has more her two like ' +
  'him see time could no make than first been its who now people my made over did down only way find use may water long little very after ' +
  'words called just where most know get through back much before go good new write our used me man too any day same right look think also ' +
  'around another came come work three word must because does part even place well such here take why things help put years different away ' +
  'again off went old number great tell men say small every found still between name should home big give air line set own under read last ' +
  'never us left end along while might next sound below saw something thought both few those always looked show large often together asked ' +
  'house world going want school important until form food keep children feet land side without boy once animals life enough took sometimes ' +
  'four head above kind began almost live page got earth need far hand high year mother light parts country father let night following picture ' +
  'being study second eyes soon times story boys since white days ever paper hard near sentence better best across during today others however ' +
  'sure means knew try told young miles sun ways thing whole hear example heard several change answer room sea against top turned learn point ' +
  'city play toward five using himself usually evidence argument history method result reason question research theory process society'
).split(' ');

const CJK = [
  'わたし',
  'がっこう',
  'ともだち',
  'にほんご',
  'べんきょう',
  'たのしい',
  'きょう',
  'あした',
  'せんせい',
  'しゅくだい',
  '日本',
  '学生',
  '先生',
  '勉強',
  '今日',
  '友達',
  '時間',
  '問題',
  '大学',
  '社会',
];

function sentence(rng: Rng): string {
  const n = rng.int(7, 22);
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    let w = rng.pick(WORDS);
    if (i === 0) w = w[0]!.toUpperCase() + w.slice(1);
    if (i > 2 && i < n - 2 && rng.chance(0.06)) w += ',';
    words.push(w);
  }
  const end = rng.chance(0.88) ? '.' : rng.chance(0.5) ? '?' : '!';
  return words.join(' ') + end;
}

/** Paragraphs of sentences: the text a writer composes or a copier transcribes. */
export function makeParagraphs(rng: Rng, paragraphs: number, minSentences = 3, maxSentences = 6): string[][] {
  const out: string[][] = [];
  for (let p = 0; p < paragraphs; p++) {
    const s: string[] = [];
    const n = rng.int(minSentences, maxSentences);
    for (let i = 0; i < n; i++) s.push(sentence(rng));
    out.push(s);
  }
  return out;
}

export function joinParagraphs(paras: string[][]): string {
  return paras.map((p) => p.join(' ')).join('\n');
}

export function someWords(rng: Rng, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(WORDS));
  return out;
}

/** Japanese-like sentences of kana/kanji words, for IME sessions. */
export function cjkSentence(rng: Rng): string[] {
  const n = rng.int(3, 7);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(CJK));
  return out;
}
