import { describe, expect, it } from "vitest";
import { porterStem } from "./porter-stemmer.js";

describe("porterStem (NLTK_EXTENSIONS mode)", () => {
  it("matches NLTK's documented stems", () => {
    // The word list and NLTK-mode outputs of NLTK's stem howto.
    const words =
      "caresses flies dies mules denied died agreed owned humbled sized meeting stating siezing itemization sensational traditional reference colonizer plotted".split(
        " ",
      );
    const stems =
      "caress fli die mule deni die agre own humbl size meet state siez item sensat tradit refer colon plot".split(
        " ",
      );
    expect(words.map(porterStem)).toEqual(stems);
  });
  it("applies the irregular forms and the NLTK extensions", () => {
    expect(
      ["dying", "lying", "tying", "skies", "sky", "news", "innings", "proceed", "succeed"].map(porterStem),
    ).toEqual(["die", "lie", "tie", "sky", "sky", "news", "inning", "proceed", "succeed"]);
    expect(porterStem("happy")).toBe("happi");
    expect(porterStem("enjoy")).toBe("enjoy");
    expect(porterStem("ties")).toBe("tie");
    expect(porterStem("spied")).toBe("spi");
    expect(porterStem("generously")).toBe("gener");
    expect(porterStem("radically")).toBe("radic");
    expect(porterStem("hopefulness")).toBe("hope");
    expect(porterStem("geology")).toBe("geolog");
    expect(porterStem("controlling")).toBe("control");
    expect(porterStem("is")).toBe("is");
  });
});
