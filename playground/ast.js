// The syntax tree view: a collapsible tree of `Expression.ast()` nodes,
// each reporting its span on hover; the nodes the compiler folded into a
// constant carry a badge (which ones is the compiler's word, from
// `programView().folded`).

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

/** Number of nodes in the tree. */
export function countNodes(node) {
  return 1 + node.children.reduce((n, c) => n + countNodes(c), 0);
}

/**
 * The tree nodes the compiler folded into constants, outermost only:
 * those whose span is one of `folded` (`Expression.programView().folded`)
 * and that are not inside another folded node.
 */
export function foldedNodes(node, folded, out = []) {
  if (folded.some(([s, e]) => s === node.span[0] && e === node.span[1])) out.push(node);
  else for (const c of node.children) foldedNodes(c, folded, out);
  return out;
}

function describe(node, params) {
  switch (node.kind) {
    case 'number':
      return ['number', node.text];
    case 'name':
      return [params.includes(node.name) ? 'param' : 'constant', node.name];
    case 'unary':
      return ['unary', node.op];
    case 'binary':
      return [node.op === ',' ? 'sequence' : 'binary', node.op];
    case 'conditional':
      return ['conditional', '? :'];
    case 'call':
      return ['call', `${node.name}( )`];
    case 'index':
      return ['index', `${node.name}[ ]`];
    case 'field':
      return ['field', `${node.name}.${node.field}`];
    default:
      return [node.kind, ''];
  }
}

/**
 * Renders `root` into `container`. `onHover(span | null)` is called as the
 * pointer enters and leaves nodes; `values` maps folded nodes to their value.
 */
export function renderTree(container, root, params, onHover, values) {
  container.replaceChildren();
  const ul = el('ul', 'tree');
  ul.append(renderNode(root, params, onHover, values, 0));
  container.append(ul);
  container.onmouseleave = () => onHover(null);
}

function renderNode(node, params, onHover, values, depth) {
  const li = el('li');
  const row = el('div', 'node');
  row.dataset.kind = node.kind;
  const [kind, text] = describe(node, params);
  const toggle = el('button', 'toggle');
  toggle.type = 'button';
  toggle.tabIndex = -1;
  if (node.children.length) {
    toggle.setAttribute('aria-label', 'collapse');
    toggle.textContent = '▾';
  } else {
    toggle.classList.add('leaf');
  }
  row.append(toggle, el('span', `tok tok-${kind}`, text), el('span', 'kind', kind));
  if (values.has(node)) {
    const v = values.get(node);
    row.append(el('span', 'badge folded', `folded → ${Number.isFinite(v) ? Number(v.toPrecision(10)) : v}`));
  }
  row.append(el('span', 'span', `${node.span[0]}‥${node.span[1]}`));
  row.tabIndex = 0;
  row.addEventListener('mouseenter', () => onHover(node.span));
  row.addEventListener('focus', () => onHover(node.span));
  li.append(row);
  if (node.children.length) {
    const kids = el('ul');
    for (const c of node.children) kids.append(renderNode(c, params, onHover, values, depth + 1));
    li.append(kids);
    const flip = () => {
      const closed = li.classList.toggle('closed');
      toggle.textContent = closed ? '▸' : '▾';
      toggle.setAttribute('aria-label', closed ? 'expand' : 'collapse');
    };
    toggle.addEventListener('click', (e) => {
      e.stopPropagation();
      flip();
    });
    row.addEventListener('click', flip);
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        flip();
      }
    });
  }
  return li;
}
