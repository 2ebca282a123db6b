/** One GraphQL operation over HTTP for the benchmarks: its data, or an error naming the URL and the errors' messages. */
export async function postGraphQL<T>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors)
    throw new Error(`${url} answered: ${body.errors.map(({ message }) => message).join('; ')}`);
  return body.data!;
}
