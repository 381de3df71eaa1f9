namespace Tollgate.Storage.Database;

/// <summary>
/// A PostgreSQL statement over whole columns of values, each bound as one array (read with <c>unnest</c>): one round trip
/// and one execution for any number of rows. SQLite has no round trips to save; its callers send rows one at a time.
/// </summary>
public static class ArrayCommand
{
    /// <summary>Runs <paramref name="sql"/> with each parameter bound as it is (arrays as arrays) and reads every row it answers.</summary>
    public static async Task<List<object?[]>> RowsAsync(this SqlScope scope, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = scope.Connection.CreateCommand();
        command.Transaction = scope.Transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        var rows = new List<object?[]>();
        await using var reader = await command.ExecuteReaderAsync(scope.CancellationToken);
        while (await reader.ReadAsync(scope.CancellationToken))
        {
            var row = new object?[reader.FieldCount];
            for (var c = 0; c < row.Length; c++)
            {
                row[c] = reader.IsDBNull(c) ? null : reader.GetValue(c);
            }

            rows.Add(row);
        }

        return rows;
    }
}
