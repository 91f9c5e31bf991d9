// Node kinds and fields of tree-sitter-python v0.23.6 (src/node-types.json).

package pyast

// Kinds of node this package names. Every other named node is KindOther,
// an anonymous token carrying a field (an operator) is KindToken, and a
// syntax error is KindError; Tree.Type gives the grammar's own name.
const (
	KindOther Kind = iota
	KindToken
	KindError
	KindModule
	KindExpressionStatement
	KindAssignment
	KindAugmentedAssignment
	KindIdentifier
	KindAttribute
	KindCall
	KindArgumentList
	KindKeywordArgument
	KindString
	KindStringStart
	KindStringContent
	KindStringEnd
	KindInterpolation
	KindConcatenatedString
	KindBinaryOperator
	KindBooleanOperator
	KindComparisonOperator
	KindNotOperator
	KindUnaryOperator
	KindConditionalExpression
	KindInteger
	KindFloat
	KindTrue
	KindFalse
	KindNone
	KindList
	KindTuple
	KindSet
	KindDictionary
	KindPair
	KindDictionarySplat
	KindListSplat
	KindParenthesizedExpression
	KindSubscript
	KindSlice
	KindFunctionDefinition
	KindParameters
	KindDefaultParameter
	KindTypedParameter
	KindTypedDefaultParameter
	KindListSplatPattern
	KindDictionarySplatPattern
	KindDecoratedDefinition
	KindDecorator
	KindClassDefinition
	KindBlock
	KindReturnStatement
	KindRaiseStatement
	KindIfStatement
	KindElifClause
	KindElseClause
	KindForStatement
	KindWhileStatement
	KindTryStatement
	KindExceptClause
	KindExceptGroupClause
	KindFinallyClause
	KindWithStatement
	KindWithClause
	KindWithItem
	KindAsPattern
	KindAsPatternTarget
	KindPassStatement
	KindBreakStatement
	KindContinueStatement
	KindImportStatement
	KindImportFromStatement
	KindAliasedImport
	KindDottedName
	KindRelativeImport
	KindWildcardImport
	KindGlobalStatement
	KindNonlocalStatement
	KindDeleteStatement
	KindAssertStatement
	KindLambda
	KindLambdaParameters
	KindListComprehension
	KindDictionaryComprehension
	KindSetComprehension
	KindGeneratorExpression
	KindForInClause
	KindIfClause
	KindPatternList
	KindExpressionList
	KindTuplePattern
	KindListPattern
	KindAwait
	KindYield
	KindNamedExpression
	KindKeywordSeparator
	KindPositionalSeparator
	KindType
	KindEllipsis
	KindEscapeSequence
	KindFormatSpecifier
	KindTypeConversion
	KindMatchStatement
	KindCaseClause
	KindComment
	KindFutureImportStatement
	numKinds
)

var kindNames = [numKinds]string{
	KindOther:                   "other",
	KindToken:                   "token",
	KindError:                   "ERROR",
	KindModule:                  "module",
	KindExpressionStatement:     "expression_statement",
	KindAssignment:              "assignment",
	KindAugmentedAssignment:     "augmented_assignment",
	KindIdentifier:              "identifier",
	KindAttribute:               "attribute",
	KindCall:                    "call",
	KindArgumentList:            "argument_list",
	KindKeywordArgument:         "keyword_argument",
	KindString:                  "string",
	KindStringStart:             "string_start",
	KindStringContent:           "string_content",
	KindStringEnd:               "string_end",
	KindInterpolation:           "interpolation",
	KindConcatenatedString:      "concatenated_string",
	KindBinaryOperator:          "binary_operator",
	KindBooleanOperator:         "boolean_operator",
	KindComparisonOperator:      "comparison_operator",
	KindNotOperator:             "not_operator",
	KindUnaryOperator:           "unary_operator",
	KindConditionalExpression:   "conditional_expression",
	KindInteger:                 "integer",
	KindFloat:                   "float",
	KindTrue:                    "true",
	KindFalse:                   "false",
	KindNone:                    "none",
	KindList:                    "list",
	KindTuple:                   "tuple",
	KindSet:                     "set",
	KindDictionary:              "dictionary",
	KindPair:                    "pair",
	KindDictionarySplat:         "dictionary_splat",
	KindListSplat:               "list_splat",
	KindParenthesizedExpression: "parenthesized_expression",
	KindSubscript:               "subscript",
	KindSlice:                   "slice",
	KindFunctionDefinition:      "function_definition",
	KindParameters:              "parameters",
	KindDefaultParameter:        "default_parameter",
	KindTypedParameter:          "typed_parameter",
	KindTypedDefaultParameter:   "typed_default_parameter",
	KindListSplatPattern:        "list_splat_pattern",
	KindDictionarySplatPattern:  "dictionary_splat_pattern",
	KindDecoratedDefinition:     "decorated_definition",
	KindDecorator:               "decorator",
	KindClassDefinition:         "class_definition",
	KindBlock:                   "block",
	KindReturnStatement:         "return_statement",
	KindRaiseStatement:          "raise_statement",
	KindIfStatement:             "if_statement",
	KindElifClause:              "elif_clause",
	KindElseClause:              "else_clause",
	KindForStatement:            "for_statement",
	KindWhileStatement:          "while_statement",
	KindTryStatement:            "try_statement",
	KindExceptClause:            "except_clause",
	KindExceptGroupClause:       "except_group_clause",
	KindFinallyClause:           "finally_clause",
	KindWithStatement:           "with_statement",
	KindWithClause:              "with_clause",
	KindWithItem:                "with_item",
	KindAsPattern:               "as_pattern",
	KindAsPatternTarget:         "as_pattern_target",
	KindPassStatement:           "pass_statement",
	KindBreakStatement:          "break_statement",
	KindContinueStatement:       "continue_statement",
	KindImportStatement:         "import_statement",
	KindImportFromStatement:     "import_from_statement",
	KindAliasedImport:           "aliased_import",
	KindDottedName:              "dotted_name",
	KindRelativeImport:          "relative_import",
	KindWildcardImport:          "wildcard_import",
	KindGlobalStatement:         "global_statement",
	KindNonlocalStatement:       "nonlocal_statement",
	KindDeleteStatement:         "delete_statement",
	KindAssertStatement:         "assert_statement",
	KindLambda:                  "lambda",
	KindLambdaParameters:        "lambda_parameters",
	KindListComprehension:       "list_comprehension",
	KindDictionaryComprehension: "dictionary_comprehension",
	KindSetComprehension:        "set_comprehension",
	KindGeneratorExpression:     "generator_expression",
	KindForInClause:             "for_in_clause",
	KindIfClause:                "if_clause",
	KindPatternList:             "pattern_list",
	KindExpressionList:          "expression_list",
	KindTuplePattern:            "tuple_pattern",
	KindListPattern:             "list_pattern",
	KindAwait:                   "await",
	KindYield:                   "yield",
	KindNamedExpression:         "named_expression",
	KindKeywordSeparator:        "keyword_separator",
	KindPositionalSeparator:     "positional_separator",
	KindType:                    "type",
	KindEllipsis:                "ellipsis",
	KindEscapeSequence:          "escape_sequence",
	KindFormatSpecifier:         "format_specifier",
	KindTypeConversion:          "type_conversion",
	KindMatchStatement:          "match_statement",
	KindCaseClause:              "case_clause",
	KindComment:                 "comment",
	KindFutureImportStatement:   "future_import_statement",
}

// Fields of the grammar (a child's role under its parent).
const (
	FieldNone Field = iota
	FieldAlias
	FieldAlternative
	FieldArgument
	FieldArguments
	FieldAttribute
	FieldBody
	FieldCause
	FieldCode
	FieldCondition
	FieldConsequence
	FieldDefinition
	FieldExpression
	FieldFormatSpecifier
	FieldFunction
	FieldGuard
	FieldKey
	FieldLeft
	FieldModuleName
	FieldName
	FieldObject
	FieldOperator
	FieldOperators
	FieldParameters
	FieldReturnType
	FieldRight
	FieldSubject
	FieldSubscript
	FieldSuperclasses
	FieldType
	FieldTypeConversion
	FieldTypeParameters
	FieldValue
	numFields
)

var fieldNames = [numFields]string{
	FieldNone:            "",
	FieldAlias:           "alias",
	FieldAlternative:     "alternative",
	FieldArgument:        "argument",
	FieldArguments:       "arguments",
	FieldAttribute:       "attribute",
	FieldBody:            "body",
	FieldCause:           "cause",
	FieldCode:            "code",
	FieldCondition:       "condition",
	FieldConsequence:     "consequence",
	FieldDefinition:      "definition",
	FieldExpression:      "expression",
	FieldFormatSpecifier: "format_specifier",
	FieldFunction:        "function",
	FieldGuard:           "guard",
	FieldKey:             "key",
	FieldLeft:            "left",
	FieldModuleName:      "module_name",
	FieldName:            "name",
	FieldObject:          "object",
	FieldOperator:        "operator",
	FieldOperators:       "operators",
	FieldParameters:      "parameters",
	FieldReturnType:      "return_type",
	FieldRight:           "right",
	FieldSubject:         "subject",
	FieldSubscript:       "subscript",
	FieldSuperclasses:    "superclasses",
	FieldType:            "type",
	FieldTypeConversion:  "type_conversion",
	FieldTypeParameters:  "type_parameters",
	FieldValue:           "value",
}
