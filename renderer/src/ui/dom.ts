/**
 * A tiny element builder. Attributes are set one by one (never through `innerHTML`, so text from
 * the backend cannot inject markup) and there is deliberately no `style` attribute: the CSP
 * forbids inline styles, so layout lives in styles.css and dynamic values go through `el.style.x`.
 */

type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined;
type Listener = (event: Event) => void;
export type Attrs = Record<string, AttrValue | Listener>;

/**
 * Creates an element. `onclick`-style keys with function values become event listeners;
 * `true` sets an empty attribute, `false`/`null`/`undefined` leave it out.
 *
 * @example h('button', { class: 'btn', 'data-testid': 'confirm', onclick: confirm }, 'Confirm')
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') {
      el.addEventListener(name.replace(/^on/, ''), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else if (value !== false && value !== null && value !== undefined) {
      if (name === 'style') throw new Error('h(): inline styles are blocked by the CSP');
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

/** Replaces all children of `el`. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** True when keys typed now belong to a text field, select or editable element. */
export function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset'].includes(target.type);
  }
  return false;
}
