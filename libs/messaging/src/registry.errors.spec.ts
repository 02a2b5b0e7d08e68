import { lookupErrorOf, registryEndpointOf } from './registry.errors';

describe('registryEndpointOf', () => {
  it('takes user:password out of the URL and keeps them apart, decoded', () => {
    expect(registryEndpointOf('https://etl:s%40cret@registry.example:8081/apis/ccompat/v7/')).toEqual({
      base: 'https://registry.example:8081/apis/ccompat/v7',
      auth: { username: 'etl', password: 's@cret' },
    });
  });

  it('leaves a URL without credentials as it is, and shows no userinfo from text that is not a URL', () => {
    expect(registryEndpointOf('http://127.0.0.1:8081/')).toEqual({ base: 'http://127.0.0.1:8081' });
    expect(registryEndpointOf('registry://etl:secret@[bad')).toEqual({ base: 'registry://[bad' });
  });
});

describe('lookupErrorOf', () => {
  // the registry client's ResponseError carries the HTTP status; a request that got no answer is a 400 or 408 there
  const responseError = (status: number) => Object.assign(new Error('schema-registry - Error, status'), { status });

  it('calls a schema id the registry does not know unknown: permanent', () => {
    expect(lookupErrorOf(7, responseError(404), 'decode')).toMatchObject({ code: 'SCHEMA_UNKNOWN', retriable: false, details: { schemaId: 7 } });
  });

  it('calls any other answer, or none, the registry being unavailable: transient', () => {
    for (const status of [400, 408, 500, 503]) {
      expect(lookupErrorOf(7, responseError(status), 'encode')).toMatchObject({ code: 'REGISTRY_UNAVAILABLE', retriable: true, details: { status } });
    }
  });

  it('leaves an error without a status to the caller: the lookup worked, the Avro did not', () => {
    expect(lookupErrorOf(7, new Error('truncated buffer'), 'decode')).toBeUndefined();
  });
});
