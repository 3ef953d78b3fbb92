/**
 * The credentials of an `Authorization: Bearer …` header. The scheme is matched case-insensitively (RFC 9110
 * §11.1: `bearer` and `BEARER` are the same scheme); anything else yields undefined.
 */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}
