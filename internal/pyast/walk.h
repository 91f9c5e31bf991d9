// The few declarations of tree-sitter's C API (include/tree_sitter/api.h of
// tree-sitter 0.25, MIT licence) that the walker needs. The library itself is
// compiled and linked by github.com/tree-sitter/go-tree-sitter; declaring the
// prototypes here keeps this package's cgo flags free of module-cache paths.
#ifndef PYAST_WALK_H
#define PYAST_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef uint16_t TSSymbol;
typedef uint16_t TSFieldId;
typedef struct TSTree TSTree;
typedef struct TSLanguage TSLanguage;

typedef struct TSPoint {
  uint32_t row;
  uint32_t column;
} TSPoint;

typedef struct TSNode {
  uint32_t context[4];
  const void *id;
  const TSTree *tree;
} TSNode;

typedef struct TSTreeCursor {
  const void *tree;
  const void *id;
  uint32_t context[3];
} TSTreeCursor;

typedef struct TSParser TSParser;
TSTree *ts_parser_parse_string(TSParser *self, const TSTree *old_tree, const char *string, uint32_t length);
void ts_tree_delete(TSTree *self);
TSNode ts_tree_root_node(const TSTree *self);
TSSymbol ts_node_symbol(TSNode self);
uint32_t ts_node_start_byte(TSNode self);
uint32_t ts_node_end_byte(TSNode self);
TSPoint ts_node_start_point(TSNode self);
TSPoint ts_node_end_point(TSNode self);
bool ts_node_is_named(TSNode self);
bool ts_node_is_missing(TSNode self);
bool ts_node_is_extra(TSNode self);
bool ts_node_is_error(TSNode self);
uint32_t ts_node_descendant_count(TSNode self);
uint32_t ts_node_child_count(TSNode self);
TSTreeCursor ts_tree_cursor_new(TSNode node);
void ts_tree_cursor_delete(TSTreeCursor *self);
TSNode ts_tree_cursor_current_node(const TSTreeCursor *self);
TSFieldId ts_tree_cursor_current_field_id(const TSTreeCursor *self);
bool ts_tree_cursor_goto_parent(TSTreeCursor *self);
bool ts_tree_cursor_goto_next_sibling(TSTreeCursor *self);
bool ts_tree_cursor_goto_first_child(TSTreeCursor *self);
uint32_t ts_language_symbol_count(const TSLanguage *self);
uint32_t ts_language_field_count(const TSLanguage *self);
const char *ts_language_field_name_for_id(const TSLanguage *self, TSFieldId id);
const char *ts_language_symbol_name(const TSLanguage *self, TSSymbol symbol);
int ts_language_symbol_type(const TSLanguage *self, TSSymbol symbol);
void ts_set_allocator(void *(*new_malloc)(size_t), void *(*new_calloc)(size_t, size_t),
                      void *(*new_realloc)(void *, size_t), void (*new_free)(void *));

// pyast_node has exactly the layout of the Go type Node (checked by a test).
typedef struct pyast_node {
  uint16_t kind;
  uint16_t sym;
  uint16_t field;
  uint16_t flags;
  uint32_t start, end;
  int32_t parent, next;
} pyast_node;

enum {
  PYAST_NAMED = 1,
  PYAST_ERROR = 2,
  PYAST_MISSING = 4,
  PYAST_DEEP = 8,
};

void pyast_use_libc_allocator(void);
bool ts_node_has_error(TSNode self);
int pyast_walk(const TSTree *tree, pyast_node *out, int cap, const uint16_t *kinds, const uint8_t *named,
               int nkinds, uint16_t error_kind, uint16_t drop_kind, const uint16_t *fields, int nfields,
               int max_depth, uint16_t chain_kind, uint16_t chain_field);

#endif
