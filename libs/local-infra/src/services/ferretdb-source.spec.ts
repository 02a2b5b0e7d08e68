import { FERRETDB_FIXES, withFix } from './ferretdb-source';

// the lines around each fix in FerretDB v1.24.2
const METADATA_GO = `const (
	// DefaultColumn is a column name for all fields.
	DefaultColumn = backends.ReservedPrefix + "sjson"

	// IDColumn is a SQLite path expression for _id field.
	IDColumn = DefaultColumn + "->'$._id'"
)
`;
const MSG_UPDATE_GO = `		if !u.Multi {
			iter = common.LimitIterator(iter, closer, 1)
		}

		result, err := common.UpdateDocument(ctx, c, "update", iter, &u)
		if err != nil {
			return 0, 0, nil, lazyerrors.Error(err)
		}
`;

// Query's pushdown, then Explain's (same test, different body): only Query's is changed
const COLLECTION_GO = `	if params.Filter.Len() == 1 {
		v, _ := params.Filter.Get("_id")
		switch v.(type) {
		case string, types.ObjectID:
			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}
	}
	if params.Filter.Len() == 1 {
		v, _ := params.Filter.Get("_id")
		switch v.(type) {
		case string, types.ObjectID:
			filterPushdown = true
			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
		}
	}
`;

describe('the FerretDB 1.24.2 fixes of the local build', () => {
  it('looks _id up with the expression the _id index is built on (registry.go: DefaultColumn->"_id")', () => {
    const fixed = withFix(METADATA_GO, FERRETDB_FIXES.sqliteIdLookup, '1.24.2');
    expect(fixed).toContain('IDColumn = DefaultColumn + "->\\"_id\\""');
    expect(fixed).not.toContain(`'$._id'`);
  });

  it("releases an update statement's cursor before the next statement, error or not", () => {
    const fixed = withFix(MSG_UPDATE_GO, FERRETDB_FIXES.updateIteratorRelease, '1.24.2');
    const lines = fixed.split('\n').map((l) => l.trim());
    expect(lines.indexOf('closer.Close() // brokered-etl: release the cursor\'s connection now, not when the command ends')).toBe(lines.findIndex((l) => l.startsWith('result, err := common.UpdateDocument')) + 1);
  });

  it("narrows a query by a plain _id beside other keys (Query's pushdown only; Explain's report is left as it was)", () => {
    const fixed = withFix(COLLECTION_GO, FERRETDB_FIXES.idPushdownBesideOtherKeys, '1.24.2');
    const ifs = fixed.split('\n').filter((l) => l.includes('params.Filter.Len()')).map((l) => l.trim());
    expect(ifs).toEqual(['if params.Filter.Len() >= 1 { // brokered-etl: any filter with a plain _id, not only {_id} alone', 'if params.Filter.Len() == 1 {']);
  });

  it('changes nothing but the fixed text', () => {
    for (const [text, fix] of [[METADATA_GO, FERRETDB_FIXES.sqliteIdLookup], [MSG_UPDATE_GO, FERRETDB_FIXES.updateIteratorRelease], [COLLECTION_GO, FERRETDB_FIXES.idPushdownBesideOtherKeys]] as const) {
      expect(withFix(text, fix, '1.24.2').replace(fix.to, fix.from)).toBe(text);
    }
  });

  it('refuses a source where the text is not there exactly once, naming version and file', () => {
    expect(() => withFix(METADATA_GO.replace("'$._id'", "'$.id'"), FERRETDB_FIXES.sqliteIdLookup, '1.99.0')).toThrow(/FerretDB 1\.99\.0: internal\/backends\/sqlite\/metadata\/metadata\.go does not hold .* exactly once/);
    expect(() => withFix(MSG_UPDATE_GO + MSG_UPDATE_GO, FERRETDB_FIXES.updateIteratorRelease, '1.24.2')).toThrow(/msg_update\.go does not hold .* exactly once/);
  });
});
