// Placeholder entry until the SDK lands; replaced by the real script.
export {};
