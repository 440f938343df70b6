/** The community's search form (a GET to /community/search). */
export function SearchBox({ value = "" }: { value?: string }) {
  return (
    <search>
      <form className="form-inline" action="/community/search">
        <label className="field" style={{ flex: 1 }}>
          <span>Search the community</span>
          <input name="q" type="search" defaultValue={value} minLength={2} maxLength={200} required />
        </label>
        <button className="btn" type="submit">
          Search
        </button>
      </form>
    </search>
  );
}
