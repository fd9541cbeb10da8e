// The syntax tree view: a collapsible tree of `Expression.ast()` nodes,
// each reporting its span on hover; and which subtrees are constant, which
// the compiler folds into one value.

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
 * Marks every node whose value is known at compile time with `constant:
 * true`: numbers, names that are not parameters (constants), and
 * operators or pure built-in calls over constants. `pure` is the set of
 * built-in function names (not redefined by the user).
 */
export function markConstants(node, params, pure) {
  const kids = node.children.map((c) => markConstants(c, params, pure));
  const all = kids.every(Boolean);
  let c;
  switch (node.kind) {
    case 'number':
      c = true;
      break;
    case 'name':
      c = !params.includes(node.name);
      break;
    case 'unary':
    case 'binary':
    case 'conditional':
      c = all;
      break;
    case 'call':
      c = all && pure.has(node.name);
      break;
    default:
      c = false;
  }
  node.constant = c;
  return c;
}

/** A number, or a sign on one: nothing to fold. */
const literal = (node) => node.kind === 'number' || (node.kind === 'unary' && node.children[0].kind === 'number');

/** The largest constant subtrees that are more than a literal. */
export function foldedSubtrees(node, out = []) {
  if (node.constant && !literal(node)) out.push(node);
  else if (!node.constant) for (const c of node.children) foldedSubtrees(c, out);
  return out;
}

const OPS = { '-': '−', '*': '×', '/': '÷', '!': '!', ',': ',', '^': '^' };

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
