/** `bytes` random bytes as lowercase hex: 16 bytes for ids and trace ids, 8 for span ids. */
export const hex = (bytes: number): string =>
  crypto.getRandomValues(new Uint8Array(bytes)).reduce((s, b) => s + (b + 256).toString(16).slice(1), '');
