// The part of autocannon's API the HTTP benchmark uses (it ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      method?: string
      path?: string
      headers?: Record<string, string>
      body?: string
      setupRequest?: (request: any, context: any) => any
      onResponse?: (status: number, body: string, context: any) => void
    }
    interface Result {
      '2xx': number
      non2xx: number
      errors: number
      timeouts: number
      latency: { p50: number; p99: number; average: number }
      requests: { average: number }
    }
  }
  function autocannon(options: { url: string; connections?: number; duration?: number; requests?: autocannon.Request[] }): Promise<autocannon.Result>
  export default autocannon
}
