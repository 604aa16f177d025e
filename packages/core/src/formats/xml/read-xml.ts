/**
 * A small, strict XML reader for the subset TCX and GPX files use: elements, attributes,
 * text, CDATA, comments and processing instructions, in UTF-8. It is deliberately not a
 * general XML parser. There is no DTD support at all: a `<!DOCTYPE` or `<!ENTITY`
 * declaration is refused (`xml-forbidden`), so external entities (XXE) and entity expansion
 * (billion laughs) cannot happen; only the five predefined entities and numeric character
 * references are decoded. Malformed markup (mismatched tags, a second root, duplicate
 * attributes, text outside the root) fails with `xml-malformed` and the position.
 *
 * Element and attribute names keep their prefix out of the way: `local` is the name after
 * the colon, because real files bind the same namespaces to different prefixes (`ns3:TPX`,
 * `x:TPX`, `gpxtpx:hr`). Importers match on local names.
 */
import { err, ok, type Result } from "../../result.js";
import type { ImportError } from "../import/imported-workout.js";

/** An element: its local name, attributes (by local name), text and child elements. */
export interface XmlElement {
  readonly name: string;
  readonly local: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The element's own text (not its children's), entity-decoded. */
  text: string;
}

const MAX_DEPTH = 64;
const NAME = /[A-Za-z_][\w.:-]*/y;
const ATTRIBUTE = /\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const ENTITIES: Readonly<Record<string, string>> = {
  lt: "<",
  gt: ">",
  amp: "&",
  quot: '"',
  apos: "'",
};

const malformed = (message: string, at: number) =>
  err<ImportError>({
    code: "xml-malformed",
    message: `malformed XML at character ${at}: ${message}`,
  });

/** Options of `readXml`. */
export interface ReadXmlOptions {
  /**
   * Called as each element closes, complete with its children, with its open ancestors
   * (root first). Returning true drops the element from its parent once handled, so an
   * importer can turn 86,400 trackpoints into samples as they stream past instead of
   * keeping a tree of a million elements.
   */
  readonly onClose?: (element: XmlElement, ancestors: readonly XmlElement[]) => boolean;
}

/** Parses a document and returns its root element (without the elements `onClose` took). */
export function readXml(
  input: string,
  options: ReadXmlOptions = {},
): Result<XmlElement, ImportError> {
  const { onClose } = options;
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const stack: XmlElement[] = [];
  /** Whether each open element has had a child (even one `onClose` took away). */
  const hadChild: boolean[] = [];
  let root: XmlElement | undefined;
  let p = 0;
  while (p < text.length) {
    const lt = text.indexOf("<", p);
    const end = lt === -1 ? text.length : lt;
    const parent = stack[stack.length - 1];
    // Text beside child elements (indentation) is not kept: TCX and GPX have no mixed content.
    if (end > p && !hadChild[stack.length - 1]) {
      const chunk = text.slice(p, end);
      if (parent) {
        const decoded = decodeEntities(chunk, p);
        if (!decoded.ok) return decoded;
        parent.text += decoded.value;
      } else if (chunk.trim() !== "") {
        return malformed("text outside the root element", p);
      }
    }
    if (lt === -1) break;
    p = lt;
    if (text.startsWith("<!--", p)) {
      const close = text.indexOf("-->", p + 4);
      if (close === -1) return malformed("unterminated comment", p);
      p = close + 3;
    } else if (text.startsWith("<![CDATA[", p)) {
      const close = text.indexOf("]]>", p + 9);
      const parent = stack[stack.length - 1];
      if (close === -1 || !parent) return malformed("CDATA outside an element or unterminated", p);
      parent.text += text.slice(p + 9, close);
      p = close + 3;
    } else if (text.startsWith("<!", p)) {
      return err({
        code: "xml-forbidden",
        message:
          "the file contains a DOCTYPE or ENTITY declaration; workout files never need one, and it is refused for safety (external entities, entity expansion)",
      });
    } else if (text.startsWith("<?", p)) {
      const close = text.indexOf("?>", p + 2);
      if (close === -1) return malformed("unterminated processing instruction", p);
      const declaration = text.slice(p + 2, close);
      const encoding = /^xml\s.*encoding\s*=\s*["']([^"']+)["']/s.exec(declaration)?.[1];
      if (encoding && !/^utf-?8$/i.test(encoding)) {
        return malformed(`encoding "${encoding}" is not supported; save the file as UTF-8`, p);
      }
      p = close + 2;
    } else if (text.startsWith("</", p)) {
      NAME.lastIndex = p + 2;
      const name = NAME.exec(text)?.[0];
      const open = stack.pop();
      hadChild.pop();
      if (!name || !open || open.name !== name) {
        return malformed(
          `closing tag </${name ?? "?"}> does not match <${open?.name ?? "nothing"}>`,
          p,
        );
      }
      const close = text.indexOf(">", p);
      const tail = p + 2 + name.length;
      if (close === -1 || (close !== tail && text.slice(tail, close).trim() !== "")) {
        return malformed(`bad closing tag </${name}>`, p);
      }
      p = close + 1;
      // The closed element is its parent's last child: the document is read in order.
      if (onClose?.(open, stack)) stack[stack.length - 1]?.children.pop();
    } else {
      const parsed = readStartTag(text, p);
      if (!parsed.ok) return parsed;
      const { element, selfClosing, next } = parsed.value;
      const parent = stack[stack.length - 1];
      if (parent) {
        parent.children.push(element);
        hadChild[stack.length - 1] = true;
      } else if (root) return malformed("a second root element", p);
      else root = element;
      if (!selfClosing) {
        if (stack.length >= MAX_DEPTH)
          return malformed(`elements nested deeper than ${MAX_DEPTH}`, p);
        stack.push(element);
        hadChild.push(false);
      } else if (onClose?.(element, stack)) {
        stack[stack.length - 1]?.children.pop();
      }
      p = next;
    }
  }
  const open = stack[stack.length - 1];
  if (open) return malformed(`<${open.name}> is never closed (is the file cut off?)`, text.length);
  if (!root) return malformed("there is no root element", 0);
  return ok(root);
}

function readStartTag(
  text: string,
  start: number,
): Result<{ element: XmlElement; selfClosing: boolean; next: number }, ImportError> {
  NAME.lastIndex = start + 1;
  const name = NAME.exec(text)?.[0];
  if (!name) return malformed("a tag without a name", start);
  let p = start + 1 + name.length;
  const attributes: Record<string, string> = {};
  const seen = new Set<string>();
  for (;;) {
    ATTRIBUTE.lastIndex = p;
    const match = ATTRIBUTE.exec(text);
    if (!match) break;
    const attrName = match[1] as string;
    if (seen.has(attrName)) return malformed(`duplicate attribute "${attrName}"`, p);
    seen.add(attrName);
    const value = decodeEntities(match[2] ?? match[3] ?? "", p);
    if (!value.ok) return value;
    attributes[localName(attrName)] = value.value;
    p = ATTRIBUTE.lastIndex;
  }
  while (p < text.length && /\s/.test(text[p] as string)) p++;
  if (text.startsWith("/>", p)) {
    return ok({ element: element(name, attributes), selfClosing: true, next: p + 2 });
  }
  if (text[p] === ">")
    return ok({ element: element(name, attributes), selfClosing: false, next: p + 1 });
  return malformed(`bad markup in the tag <${name}>`, p);
}

/** Most elements have no attribute: they share one frozen empty record. */
const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

function element(name: string, attributes: Record<string, string>): XmlElement {
  const attrs = Object.keys(attributes).length === 0 ? NO_ATTRIBUTES : attributes;
  return { name, local: localName(name), attributes: attrs, children: [], text: "" };
}

function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon === -1 ? name : name.slice(colon + 1);
}

function decodeEntities(raw: string, at: number): Result<string, ImportError> {
  if (!raw.includes("&")) return ok(raw);
  let out = "";
  let p = 0;
  while (p < raw.length) {
    const amp = raw.indexOf("&", p);
    if (amp === -1) {
      out += raw.slice(p);
      break;
    }
    out += raw.slice(p, amp);
    const semi = raw.indexOf(";", amp);
    if (semi === -1 || semi - amp > 10) return malformed('a bare "&" (write &amp;)', at + amp);
    const name = raw.slice(amp + 1, semi);
    const named = ENTITIES[name];
    if (named !== undefined) out += named;
    else if (/^#[0-9]+$/.test(name) || /^#x[0-9A-Fa-f]+$/.test(name)) {
      const code =
        name[1] === "x" ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return malformed(`character reference &${name}; is not a valid character`, at + amp);
      }
      out += String.fromCodePoint(code);
    } else {
      return malformed(
        `unknown entity &${name}; (only the five predefined ones are allowed)`,
        at + amp,
      );
    }
    p = semi + 1;
  }
  return ok(out);
}

/** The first child element with this local name. */
export function child(parent: XmlElement, local: string): XmlElement | undefined {
  return parent.children.find((c) => c.local === local);
}

/** All child elements with this local name. */
export function children(parent: XmlElement, local: string): XmlElement[] {
  return parent.children.filter((c) => c.local === local);
}

/** The trimmed text of the first child with this local name, if any. */
export function childText(parent: XmlElement, local: string): string | undefined {
  const found = child(parent, local);
  return found === undefined ? undefined : found.text.trim();
}

/** A decimal number (as XML Schema writes doubles), or undefined when absent or not one. */
export function parseDecimal(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** An XML Schema dateTime as Unix ms (no zone means UTC), or undefined when malformed. */
export function parseDateTime(text: string | undefined): number | undefined {
  const m = text === undefined ? null : DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const ms = fraction ? Math.round(Number(`0${fraction}`) * 1000) : 0;
  let time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    time -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return Number.isFinite(time) ? time : undefined;
}
