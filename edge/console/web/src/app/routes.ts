/** The page's places, kept in the URL's hash so a tablet's back button and bookmarks work. */
export type Route =
  | { readonly name: 'alerts' }
  | { readonly name: 'alert'; readonly id: number }
  | { readonly name: 'suppressed' }
  | { readonly name: 'machines' }
  | { readonly name: 'machine'; readonly asset: string }
  | { readonly name: 'audit' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (first === 'alerts' && second !== undefined && /^\d+$/.test(second)) return { name: 'alert', id: Number(second) };
  if (first === 'suppressed') return { name: 'suppressed' };
  if (first === 'machines' && second !== undefined) return { name: 'machine', asset: second };
  if (first === 'machines') return { name: 'machines' };
  if (first === 'audit') return { name: 'audit' };
  return { name: 'alerts' };
}

export function routeHash(route: Route): string {
  switch (route.name) {
    case 'alert':
      return `#/alerts/${route.id}`;
    case 'machine':
      return `#/machines/${encodeURIComponent(route.asset)}`;
    default:
      return `#/${route.name}`;
  }
}
