// Runs the GraphQL-over-HTTP reference audit of graphql-http against the server at the URL given
// as the first argument and prints one JSON array: every audit with its id, name, status (ok,
// notice, warn, error), and for failures the reason and the response's status and body.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const results = [];
for (const { fn } of serverAudits({ url })) {
  const result = await fn();
  const out = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    out.reason = result.reason;
    if (result.response) {
      out.responseStatus = result.response.status;
      try {
        out.responseBody = await result.response.text();
      } catch {
        // the body was read by the audit already
      }
    }
  }
  results.push(out);
}
console.log(JSON.stringify(results));
