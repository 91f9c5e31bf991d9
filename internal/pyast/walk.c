#include <stdlib.h>

#include "walk.h"

// tree-sitter allocates through whatever ts_set_allocator last installed.
// go-tree-sitter installs callbacks into Go for every malloc and free, which
// makes a parse about four times slower; the C library's own allocator is
// what tree-sitter uses everywhere else.
void pyast_use_libc_allocator(void) { ts_set_allocator(malloc, calloc, realloc, free); }

// pyast_walk flattens the tree in pre-order into out (at most cap nodes) and
// returns how many it wrote, or -1 when memory runs out. Comments and line
// continuations are dropped (kinds[sym] == drop_kind), and so are anonymous
// tokens that carry no field name (punctuation, keywords); named nodes,
// ERROR and MISSING nodes and field-carrying tokens (operators) are kept.
// Each kept node is linked to its nearest kept ancestor and its next kept
// sibling; its first kept child, if any, is the next node in pre-order.
//
// named[sym] says whether a symbol is a named node (ts_node_is_named is
// that, for the alias-resolved symbol ts_node_symbol returns). The start
// byte is read from the node's context, as ts_node_start_byte does (rows and
// columns are not kept: the Go side finds them from the byte); MISSING is only asked for when the tree has
// errors. This keeps the per-node cost to a few calls into the library.
//
// A kept node nested deeper than max_depth is kept without its children and
// flagged PYAST_DEEP, so that no reader of the tree recurses without bound
// on hostile input. The left operand of a chain_kind node (a binary
// operator) does not count as a level: a + b + c + … nests on its left,
// and readers fold such chains in a loop.
int pyast_walk(const TSTree *tree, pyast_node *out, int cap, const uint16_t *kinds, const uint8_t *named,
               int nkinds, uint16_t error_kind, uint16_t drop_kind, const uint16_t *fields, int nfields,
               int max_depth, uint16_t chain_kind, uint16_t chain_field) {
  TSNode root = ts_tree_root_node(tree);
  bool errors = ts_node_has_error(root);
  TSTreeCursor c = ts_tree_cursor_new(root);
  int depth_cap = 256, depth = 0, n = 0;
  // stack[d] is the index of the kept node that children at depth d+1 attach
  // to (-1: none yet); last[i] is the last kept child of node i; level[i] is
  // node i's nesting as max_depth counts it.
  int32_t *stack = malloc(sizeof(int32_t) * depth_cap);
  int32_t *last = malloc(sizeof(int32_t) * (cap > 0 ? cap : 1));
  int32_t *level = malloc(sizeof(int32_t) * (cap > 0 ? cap : 1));
  if (stack == NULL || last == NULL || level == NULL) {
    free(stack);
    free(last);
    free(level);
    ts_tree_cursor_delete(&c);
    return -1;
  }
  int32_t parent = -1;
  for (;;) {
    TSNode node = ts_tree_cursor_current_node(&c);
    TSSymbol sym = ts_node_symbol(node);
    bool err = sym == (TSSymbol)-1;
    bool is_named = err || (sym < nkinds && named[sym]);
    uint16_t kind = err ? error_kind : (sym < nkinds ? kinds[sym] : 0);
    bool missing = errors && ts_node_is_missing(node);
    bool keep = kind != drop_kind;
    TSFieldId fid = 0;
    if (keep && !is_named && !missing) {
      fid = ts_tree_cursor_current_field_id(&c);
      keep = fid != 0;
    } else if (keep) {
      fid = ts_tree_cursor_current_field_id(&c);
    }
    int32_t self = parent;
    if (keep && n < cap) {
      pyast_node *o = &out[n];
      o->sym = sym;
      o->kind = kind;
      o->field = fid < nfields ? fields[fid] : 0;
      o->flags = (is_named ? PYAST_NAMED : 0) | (err ? PYAST_ERROR : 0) | (missing ? PYAST_MISSING : 0);
      o->start = node.context[0];
      o->end = ts_node_end_byte(node);
      o->parent = parent;
      o->next = -1;
      last[n] = -1;
      if (parent >= 0) {
        if (last[parent] >= 0) {
          out[last[parent]].next = n;
        }
        last[parent] = n;
      }
      level[n] = 0;
      if (parent >= 0) {
        level[n] = level[parent] + 1;
        if (out[parent].kind == chain_kind && o->field == chain_field) {
          level[n] = level[parent];
        }
      }
      self = n;
      n++;
    }
    bool deep = keep && self >= 0 && level[self] > max_depth;
    if (deep && ts_node_child_count(node) > 0) {
      out[self].flags |= PYAST_DEEP;
    }
    if ((!keep && kind == drop_kind) || deep) {
      // a comment (nothing below it matters), or nesting too deep to read
    } else if (ts_tree_cursor_goto_first_child(&c)) {
      if (depth == depth_cap) {
        depth_cap *= 2;
        int32_t *s = realloc(stack, sizeof(int32_t) * depth_cap);
        if (s == NULL) {
          free(stack);
          free(last);
          free(level);
          ts_tree_cursor_delete(&c);
          return -1;
        }
        stack = s;
      }
      stack[depth++] = parent;
      parent = self;
      continue;
    }
    while (!ts_tree_cursor_goto_next_sibling(&c)) {
      if (depth == 0 || !ts_tree_cursor_goto_parent(&c)) {
        free(stack);
        free(last);
        free(level);
        ts_tree_cursor_delete(&c);
        return n;
      }
      parent = stack[--depth];
    }
  }
}
