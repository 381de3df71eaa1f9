// Compiled by run.sh against tollgate.d.ts, which openapi-typescript generated from the live document. It fails the
// compile when any response the document describes (success or error, except 204 and 304) has no body type, or a body
// typed unknown or never: the type error names each such operation, status and content type.
import type { paths } from "./tollgate";

type Methods = "get" | "put" | "post" | "delete" | "patch";
type IsUnknown<T> = unknown extends T ? true : false;
type IsNever<T> = [T] extends [never] ? true : false;

type BadContent<Where extends string, C> = {
  [CT in keyof C & string]: IsNever<C[CT]> extends true ? `${Where} ${CT}: never`
    : IsUnknown<C[CT]> extends true ? `${Where} ${CT}: unknown`
    : never;
}[keyof C & string];

type BadResponses<Where extends string, R> = {
  [S in keyof R & (string | number)]: `${S}` extends "204" | "304" ? never
    : R[S] extends { content: infer C } ? ([C] extends [never] ? `${Where} ${S}: no body` : BadContent<`${Where} ${S}`, C>)
    : `${Where} ${S}: no body`;
}[keyof R & (string | number)];

export type BadIn<P> = {
  [Path in keyof P & string]: {
    [M in Methods & keyof P[Path]]: P[Path][M] extends { responses: infer R } ? BadResponses<`${M} ${Path}`, R> : never;
  }[Methods & keyof P[Path]];
}[keyof P & string];

// The detector itself works: it names an unknown body, a never body and a missing one.
type Probe = BadIn<{
  "/x": {
    get: { responses: { 200: { headers: {}; content: { "application/json": unknown } } } };
    post: { responses: { 400: { headers: {}; content: { "application/problem+json": never } } } };
    put: { responses: { 200: { headers: {}; content?: never }; 204: { headers: {}; content?: never } } };
  };
}>;
const probe: Record<Probe, true> = {
  "get /x 200 application/json: unknown": true,
  "post /x 400 application/problem+json: never": true,
  "put /x 200: no body": true,
};

// The real document: Bad must be never, or this line fails with the list of offenders.
type Bad = BadIn<paths>;
const bad: [Bad] extends [never] ? "none" : Bad = "none";

export { bad, probe };
