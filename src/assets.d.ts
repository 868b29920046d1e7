// Swagger UI's files, imported as text by src/worker/assets.ts (wrangler.toml [[rules]] type "Text").
declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  const text: string
  export default text
}
declare module 'swagger-ui-dist/swagger-ui.css' {
  const text: string
  export default text
}
