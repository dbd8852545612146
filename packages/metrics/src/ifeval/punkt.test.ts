import { describe, expect, it } from "vitest";
import { sentTokenize } from "./punkt.js";
import "./punkt-files.js";
import { wordTokenize } from "./word-tokenize.js";

describe("Punkt sentence tokenizer (English tables)", () => {
  it("reproduces NLTK's documented examples", () => {
    const text = `Punkt knows that the periods in Mr. Smith and Johann S. Bach
do not mark sentence boundaries.  And sometimes sentences
can start with non-capitalized words.  i is a good variable
name.`;
    expect(sentTokenize(text)).toEqual([
      "Punkt knows that the periods in Mr. Smith and Johann S. Bach\ndo not mark sentence boundaries.",
      "And sometimes sentences\ncan start with non-capitalized words.",
      "i is a good variable\nname.",
    ]);
    const parens = `(How does it deal with this parenthesis?)  "It should be part of the
previous sentence." "(And the same with this one.)" ('And this one!')
"('(And (this)) '?)" [(and this. )]`;
    expect(sentTokenize(parens)).toEqual([
      "(How does it deal with this parenthesis?)",
      '"It should be part of the\nprevious sentence."',
      '"(And the same with this one.)"',
      "('And this one!')",
      `"('(And (this)) '?)"`,
      "[(and this. )]",
    ]);
  });

  it("handles abbreviations, numbers, ellipses and repeated end marks", () => {
    expect(sentTokenize("Very bad acting!!! I promise.")).toEqual(["Very bad acting!!!", "I promise."]);
    expect(sentTokenize("The U.S. economy grew 3.5 percent. Dr. Watson agreed.")).toHaveLength(2);
    expect(sentTokenize("It costs $3.88 per item. Buy two.")).toEqual([
      "It costs $3.88 per item.",
      "Buy two.",
    ]);
    expect(sentTokenize("")).toEqual([]);
  });
});

describe("nltk.word_tokenize", () => {
  it("reproduces NLTK's documented example", () => {
    const s = "Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\n\nThanks.";
    expect(wordTokenize(s)).toEqual([
      "Good",
      "muffins",
      "cost",
      "$",
      "3.88",
      "in",
      "New",
      "York",
      ".",
      "Please",
      "buy",
      "me",
      "two",
      "of",
      "them",
      ".",
      "Thanks",
      ".",
    ]);
    expect(wordTokenize("They'll save and invest more. I can't!")).toEqual([
      "They",
      "'ll",
      "save",
      "and",
      "invest",
      "more",
      ".",
      "I",
      "ca",
      "n't",
      "!",
    ]);
    expect(wordTokenize('He said, "WOW-GREAT news" (really).')).toEqual([
      "He",
      "said",
      ",",
      "``",
      "WOW-GREAT",
      "news",
      "''",
      "(",
      "really",
      ")",
      ".",
    ]);
  });
});
