import { SQLITE_ID_LOOKUP_FIX, withSqliteIdLookupFix } from './ferretdb-source';

// the lines around IDColumn in FerretDB v1.24.2's internal/backends/sqlite/metadata/metadata.go
const METADATA_GO = `const (
	// DefaultColumn is a column name for all fields.
	DefaultColumn = backends.ReservedPrefix + "sjson"

	// IDColumn is a SQLite path expression for _id field.
	IDColumn = DefaultColumn + "->'$._id'"
)
`;

describe('the FerretDB SQLite _id lookup fix', () => {
  it("looks _id up with the expression the _id index is built on (registry.go: DefaultColumn->\"_id\")", () => {
    const fixed = withSqliteIdLookupFix(METADATA_GO, '1.24.2');
    expect(fixed).toContain('IDColumn = DefaultColumn + "->\\"_id\\""');
    expect(fixed).not.toContain(`'$._id'`);
    // only that line changes
    expect(fixed.replace(SQLITE_ID_LOOKUP_FIX.to, SQLITE_ID_LOOKUP_FIX.from)).toBe(METADATA_GO);
  });

  it('refuses a source where the line is not there exactly once, naming the file', () => {
    expect(() => withSqliteIdLookupFix(METADATA_GO.replace("'$._id'", "'$.id'"), '1.99.0')).toThrow(/FerretDB 1\.99\.0: internal\/backends\/sqlite\/metadata\/metadata\.go does not hold .* exactly once/);
    expect(() => withSqliteIdLookupFix(METADATA_GO + METADATA_GO, '1.24.2')).toThrow(/exactly once/);
  });
});
