// WGSL files import as strings: tsup inlines them (`loader: { '.wgsl': 'text' }`) and vitest uses
// the shared preset's wgslText plugin (architecture guide B.5).
declare module '*.wgsl' {
  const code: string;
  export default code;
}
