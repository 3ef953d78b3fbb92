// Minimal typings for html-to-text 10 (no bundled types; @types/html-to-text is not installed).
declare module 'html-to-text' {
  export interface SelectorDefinition {
    selector: string;
    format?: string;
    options?: Record<string, unknown>;
  }
  export interface HtmlToTextOptions {
    wordwrap?: number | false | null;
    selectors?: SelectorDefinition[];
    baseElements?: { selectors?: string[] };
    limits?: { maxInputLength?: number; maxDepth?: number; maxChildNodes?: number };
  }
  export function convert(html: string, options?: HtmlToTextOptions): string;
  export function compile(options?: HtmlToTextOptions): (html: string) => string;
}
