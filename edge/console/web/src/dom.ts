export type Child = Node | string | null | undefined | false;
type Handler = (event: Event) => void;
type PropValue = string | number | boolean | Handler | null | undefined;
export type Props = Readonly<Record<string, PropValue>>;

/**
 * Builds an element: `class`, `on<event>` handlers, DOM properties (value, disabled, type…) and any
 * other attribute (data-*, aria-*, role…); null, undefined and false leave a prop out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: (Child | readonly Child[])[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = String(value);
    else if (key in element && !key.includes('-')) (element as unknown as Record<string, unknown>)[key] = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly (Child | readonly Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replaces everything inside `parent`. */
export function fill(parent: Element, ...children: (Child | readonly Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** Sets text only when it changed: live values rewrite the same nodes many times a second. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}
