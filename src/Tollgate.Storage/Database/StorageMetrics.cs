using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tollgate.Storage.Database;

/// <summary>
/// The write path's instruments: how many operations share a commit, how many wait, how long a commit takes, and how
/// often a batch runs again.
/// </summary>
public sealed class StorageMetrics
{
    public const string MeterName = "Tollgate.Storage";
    private readonly Meter _meter;
    private readonly Histogram<long> _batchSize;
    private readonly Histogram<double> _commitSeconds;
    private readonly Counter<long> _reruns;

    public StorageMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _batchSize = _meter.CreateHistogram("tollgate.group_commit.batch_size", "{operation}", "Operations committed together in one group-commit batch.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        _commitSeconds = _meter.CreateHistogram("tollgate.group_commit.duration", "s", "Time to run and commit one group-commit batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _reruns = _meter.CreateCounter<long>("tollgate.group_commit.reruns", "{batch}",
            "Group-commit batches run again: after a transient error (a deadlock, a serialization failure), or with an operation unplanned.");
    }

    public void Batch(int operations) => _batchSize.Record(operations);

    /// <summary>A batch runs again: <c>transient</c> after a deadlock or serialization failure, <c>unplanned</c> for a stale planned operation.</summary>
    public void Rerun(string reason) => _reruns.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Committed(long startedTimestamp) => _commitSeconds.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds);

    /// <summary>Operations waiting for a batch, read when metrics are collected.</summary>
    public void ObserveQueueDepth(Func<long> depth) =>
        _meter.CreateObservableGauge("tollgate.group_commit.queue_depth", depth, "{operation}", "Operations waiting for their group-commit batch.");
}
