// Groups a token list into a tree of parenthesised / bracketed groups, the only structure the rewriter needs: a
// function call is an identifier followed by a `(` group, and its arguments are the group split at top-level commas.

import { compilationError } from '../errors.ts';
import type { Token } from './tokenizer.ts';

export interface TokenNode {
  readonly type: 'token';
  readonly token: Token;
}

export interface GroupNode {
  readonly type: 'group';
  readonly open: '(' | '[';
  readonly children: Node[];
  readonly openToken: Token;
}

export type Node = TokenNode | GroupNode;

export function buildTree(tokens: readonly Token[]): Node[] {
  const root: Node[] = [];
  const stack: { children: Node[]; open: string; token: Token | null }[] = [{ children: root, open: '', token: null }];
  for (const token of tokens) {
    if (token.kind === 'ws') continue;
    const top = stack[stack.length - 1]!;
    if (token.kind === 'op' && (token.value === '(' || token.value === '[')) {
      const group: GroupNode = { type: 'group', open: token.value, children: [], openToken: token };
      top.children.push(group);
      stack.push({ children: group.children, open: token.value, token });
    } else if (token.kind === 'op' && (token.value === ')' || token.value === ']')) {
      const expected = token.value === ')' ? '(' : '[';
      if (top.open !== expected) {
        throw compilationError(`syntax error line 1 at position ${token.offset} unexpected '${token.value}'.`);
      }
      stack.pop();
    } else {
      top.children.push({ type: 'token', token });
    }
  }
  if (stack.length > 1) throw compilationError(`syntax error line 1 at position ${stack[stack.length - 1]!.token?.offset ?? 0} unexpected '<EOF>'.`);
  return root;
}

/** Splits a group's children at top-level commas. An empty group has no arguments. */
export function splitArgs(nodes: readonly Node[]): Node[][] {
  if (nodes.length === 0) return [];
  const args: Node[][] = [[]];
  for (const node of nodes) {
    if (node.type === 'token' && node.token.kind === 'op' && node.token.value === ',') args.push([]);
    else args[args.length - 1]!.push(node);
  }
  return args;
}

export function isOp(node: Node | undefined, value: string): boolean {
  return node?.type === 'token' && node.token.kind === 'op' && node.token.value === value;
}

export function isWord(node: Node | undefined, ...words: string[]): boolean {
  return node?.type === 'token' && node.token.kind === 'ident' && words.includes(node.token.value);
}

export function isGroup(node: Node | undefined, open: '(' | '[' = '('): node is GroupNode {
  return node?.type === 'group' && node.open === open;
}
