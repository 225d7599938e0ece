/**
 * The syntax tree of the SELECT statements the local engine runs: the part of Athena's SQL
 * (Trino's grammar) that the parser accepts. Anything else is refused while parsing.
 */

/** A type name as written in CAST: `varchar`, `integer`, `array(varchar)`, `decimal(10,2)`. */
export type TypeName = string;

export type LiteralType =
  'varchar' | 'integer' | 'bigint' | 'decimal' | 'double' | 'boolean' | 'null' | 'date' | 'timestamp';

export type Expr =
  | { readonly kind: 'literal'; readonly type: LiteralType; readonly text: string; readonly at: number }
  | { readonly kind: 'column'; readonly parts: readonly string[]; readonly at: number }
  | { readonly kind: 'unary'; readonly op: '-' | '+' | 'not'; readonly arg: Expr; readonly at: number }
  | {
      readonly kind: 'binary';
      readonly op: string;
      readonly left: Expr;
      readonly right: Expr;
      readonly at: number;
    }
  | {
      readonly kind: 'between';
      readonly not: boolean;
      readonly arg: Expr;
      readonly low: Expr;
      readonly high: Expr;
      readonly at: number;
    }
  | {
      readonly kind: 'in';
      readonly not: boolean;
      readonly arg: Expr;
      readonly list: readonly Expr[];
      readonly at: number;
    }
  | {
      readonly kind: 'inQuery';
      readonly not: boolean;
      readonly arg: Expr;
      readonly query: Query;
      readonly at: number;
    }
  | {
      readonly kind: 'like';
      readonly not: boolean;
      readonly arg: Expr;
      readonly pattern: Expr;
      readonly escape?: Expr;
      readonly at: number;
    }
  | { readonly kind: 'isNull'; readonly not: boolean; readonly arg: Expr; readonly at: number }
  | {
      readonly kind: 'distinctFrom';
      readonly not: boolean;
      readonly left: Expr;
      readonly right: Expr;
      readonly at: number;
    }
  | {
      readonly kind: 'call';
      readonly name: string;
      readonly args: readonly Expr[];
      readonly distinct: boolean;
      /** `count(*)` */
      readonly star: boolean;
      readonly filter?: Expr;
      readonly at: number;
    }
  | {
      readonly kind: 'cast';
      readonly arg: Expr;
      readonly type: TypeName;
      readonly try: boolean;
      readonly at: number;
    }
  | {
      readonly kind: 'case';
      readonly operand?: Expr;
      readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
      readonly else?: Expr;
      readonly at: number;
    }
  | { readonly kind: 'subquery'; readonly query: Query; readonly at: number }
  | { readonly kind: 'exists'; readonly query: Query; readonly at: number }
  | { readonly kind: 'subscript'; readonly arg: Expr; readonly index: Expr; readonly at: number }
  | { readonly kind: 'array'; readonly items: readonly Expr[]; readonly at: number };

export type SelectItem =
  | { readonly kind: 'star'; readonly qualifier?: readonly string[]; readonly at: number }
  | { readonly kind: 'expr'; readonly expr: Expr; readonly alias?: string };

export type Relation =
  | {
      readonly kind: 'table';
      readonly parts: readonly string[];
      readonly alias?: string;
      readonly at: number;
    }
  | { readonly kind: 'subquery'; readonly query: Query; readonly alias?: string; readonly at: number }
  | {
      readonly kind: 'join';
      readonly type: 'inner' | 'left' | 'right' | 'full' | 'cross';
      readonly left: Relation;
      readonly right: Relation;
      readonly on?: Expr;
    };

export interface QuerySpec {
  readonly kind: 'select';
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from: readonly Relation[];
  readonly where?: Expr;
  readonly groupBy: readonly Expr[];
  readonly having?: Expr;
}

export type QueryBody =
  | QuerySpec
  | { readonly kind: 'union'; readonly all: boolean; readonly left: QueryBody; readonly right: QueryBody }
  | { readonly kind: 'nested'; readonly query: Query };

export interface SortItem {
  readonly expr: Expr;
  readonly descending: boolean;
  readonly nulls?: 'first' | 'last';
}

export interface Query {
  readonly with: readonly {
    readonly name: string;
    readonly columns?: readonly string[];
    readonly query: Query;
  }[];
  readonly body: QueryBody;
  readonly orderBy: readonly SortItem[];
  readonly offset?: string;
  readonly limit?: string;
}

export type Statement =
  | { readonly kind: 'query'; readonly query: Query }
  | { readonly kind: 'showTables'; readonly database?: string };
