// CodeMirror 6 editor for one cell: Python highlighting, auto-indent, bracket matching,
// history. Colours come from material's --md-code-* CSS variables, so the editor follows
// the palette toggle (data-md-color-scheme default/slate) with no extra JavaScript; the
// dark flag (for CodeMirror's own selection/cursor colours) is switched by a Compartment.
//
// Keyboard: Tab / Shift+Tab indent and dedent. To leave the editor with the keyboard press
// Escape, then Tab (CodeMirror's tab-focus escape; Ctrl+M / Shift+Alt+M toggles it for good).
// Shift+Enter and Ctrl/Cmd+Enter run the cell.
//
// Readable: long lines wrap (no sideways scroll hides code) and the editor grows with its code
// up to 40 lines (gdcore.css); `height` from the page is a minimum, never a clip.
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { HighlightStyle, bracketMatching, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { Compartment, EditorState, Prec, RangeSetBuilder } from "@codemirror/state";
import {
  Decoration, EditorView, ViewPlugin, drawSelection, highlightActiveLine, highlightSpecialChars, keymap,
  lineNumbers,
} from "@codemirror/view";
import { tags as t } from "@lezer/highlight";

const v = (name) => `var(--md-code-hl-${name}-color)`;
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword], color: v("keyword") },
  { tag: [t.string, t.special(t.string), t.regexp], color: v("string") },
  { tag: [t.number, t.bool, t.null, t.atom], color: v("number") },
  { tag: t.comment, color: v("comment"), fontStyle: "italic" },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.definition(t.function(t.variableName))], color: v("function") },
  { tag: [t.className, t.definition(t.className)], color: v("constant") },
  { tag: [t.operator, t.compareOperator, t.arithmeticOperator, t.logicOperator], color: v("operator") },
  { tag: [t.punctuation, t.paren, t.bracket, t.brace, t.separator], color: v("punctuation") },
  { tag: [t.self, t.special(t.variableName), t.standard(t.variableName)], color: v("special") },
  { tag: t.propertyName, color: v("name") },
]);

// A wrapped line continues under its own indentation plus two columns (a hanging indent),
// so wrapped Python still reads as Python: each visible line gets --gd-indent = its leading
// spaces + 2, used by gdcore.css as padding-left with the opposite text-indent.
function hangingIndents(view) {
  const builder = new RangeSetBuilder();
  for (const { from, to } of view.visibleRanges) {
    for (let pos = from; pos <= to;) {
      const line = view.state.doc.lineAt(pos);
      const indent = /^[ \t]*/.exec(line.text)[0].replace(/\t/g, "    ").length;
      builder.add(line.from, line.from, Decoration.line({ attributes: { style: `--gd-indent: ${indent + 2}ch` } }));
      pos = line.to + 1;
    }
  }
  return builder.finish();
}
const hangingIndent = ViewPlugin.fromClass(class {
  constructor(view) { this.decorations = hangingIndents(view); }
  update(u) { if (u.docChanged || u.viewportChanged) this.decorations = hangingIndents(u.view); }
}, { decorations: (plugin) => plugin.decorations });

const isDark = () => document.body?.getAttribute("data-md-color-scheme") === "slate";
const darkness = new Compartment();
const views = new Set();

// One observer for all editors: the palette toggle flips body[data-md-color-scheme].
let observer = null;
function watchScheme() {
  if (observer || !document.body) return;
  observer = new MutationObserver(() => {
    const dark = isDark();
    for (const view of views) view.dispatch({ effects: darkness.reconfigure(EditorView.darkTheme.of(dark)) });
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
}

/**
 * Create an editor in `parent`. Options: doc, label (accessible name), heightLines,
 * onChange(text), onRun(), onFocus(). Returns {view, getCode, setCode, destroy}.
 */
export function createEditor({ parent, doc, label, heightLines, onChange, onRun, onFocus }) {
  watchScheme();
  const run = () => {
    onRun();
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        Prec.highest(keymap.of([
          { key: "Shift-Enter", run },
          { key: "Mod-Enter", run },
        ])),
        lineNumbers(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        python(),
        syntaxHighlighting(highlight),
        darkness.of(EditorView.darkTheme.of(isDark())),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.lineWrapping,
        hangingIndent,
        EditorView.contentAttributes.of({ "aria-label": label }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
          if (u.focusChanged && u.view.hasFocus) onFocus?.();
        }),
      ],
    }),
  });
  if (heightLines) view.dom.style.setProperty("--gd-editor-lines", String(heightLines));
  if (heightLines) view.dom.classList.add("gd-fixed-height");
  views.add(view);
  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    destroy: () => {
      views.delete(view);
      view.destroy();
    },
  };
}
