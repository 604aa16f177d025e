/** Tests of the strict XML reader: the subset it accepts, and everything it must refuse. */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { childText, parseDateTime, parseDecimal, readXml } from "./read-xml.js";

describe("readXml", () => {
  test("elements, prefixed names, attributes, entities, CDATA, comments", () => {
    const result = readXml(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment -->\n<a:root xmlns:a="urn:x" k=\'v &amp; w\'>' +
        "<a:b>1 &lt; 2 &#38; &#x41;</a:b><c/><d><![CDATA[<raw>]]></d></a:root>\n",
    );
    if (!result.ok) throw new Error(result.error.message);
    const root = result.value;
    expect(root.local).toBe("root");
    expect(root.attributes).toEqual({ a: "urn:x", k: "v & w" });
    expect(root.children.map((c) => c.local)).toEqual(["b", "c", "d"]);
    expect(childText(root, "b")).toBe("1 < 2 & A");
    expect(childText(root, "d")).toBe("<raw>");
  });

  test.each([
    ['<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "xml-forbidden"],
    ['<x><!ENTITY a SYSTEM "file:///etc/passwd"></x>', "xml-forbidden"],
    ["<x>&unknown;</x>", "xml-malformed"],
    ["<x>a & b</x>", "xml-malformed"],
    ["<x><y></x></y>", "xml-malformed"],
    ["<x></x><y/>", "xml-malformed"],
    ["<x>", "xml-malformed"],
    ['<x a="1" a="2"/>', "xml-malformed"],
    ["text<x/>", "xml-malformed"],
    ["<x>&#0;</x>", "xml-malformed"],
    ['<?xml version="1.0" encoding="ISO-8859-1"?><x/>', "xml-malformed"],
    ["", "xml-malformed"],
    ["<x a=1/>", "xml-malformed"],
  ])("refuses %s", (input, code) => {
    const result = readXml(input);
    expect(result.ok ? "accepted" : result.error.code).toBe(code);
  });

  test("deep nesting is refused rather than exhausting the stack", () => {
    const result = readXml(`${"<a>".repeat(100)}${"</a>".repeat(100)}`);
    expect(result.ok).toBe(false);
  });

  test("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom("<", ">", "/", "a", "=", '"', "&", ";", "!", "?", " ", "#"),
        }),
        (s) => {
          expect(() => readXml(s)).not.toThrow();
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("value parsers", () => {
  test("dateTime with Z, offsets, fractions and no zone", () => {
    expect(parseDateTime("2024-05-12T07:30:00Z")).toBe(Date.UTC(2024, 4, 12, 7, 30));
    expect(parseDateTime("2024-05-12T09:30:00.250+02:00")).toBe(
      Date.UTC(2024, 4, 12, 7, 30, 0, 250),
    );
    expect(parseDateTime("2024-05-12T07:30:00")).toBe(Date.UTC(2024, 4, 12, 7, 30));
    expect(parseDateTime("12 May 2024")).toBeUndefined();
  });

  test("decimals", () => {
    expect(parseDecimal("-12.5")).toBe(-12.5);
    expect(parseDecimal("1e3")).toBe(1000);
    expect(parseDecimal("NaN")).toBeUndefined();
    expect(parseDecimal("")).toBeUndefined();
  });
});
