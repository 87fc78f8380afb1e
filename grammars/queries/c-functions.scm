; Function definitions and the identifier they define.
; Used by server/src/c (rebuild.ts: the name of a rebuilt function is read
; from its tree when the image parsed). Loaded with loadQuery('c-functions').
;
; Captures:
;   @function  the function_definition
;   @name      the declared identifier (through pointer declarators for
;              functions returning pointers: `struct page *follow_page(...)`)

(function_definition
  declarator: (function_declarator
    declarator: (identifier) @name)) @function

(function_definition
  declarator: (pointer_declarator
    declarator: (function_declarator
      declarator: (identifier) @name))) @function

(function_definition
  declarator: (pointer_declarator
    declarator: (pointer_declarator
      declarator: (function_declarator
        declarator: (identifier) @name)))) @function
