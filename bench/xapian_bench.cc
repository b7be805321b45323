/*
** xapian_bench.cc - in-process query latency of Xapian on the database
** omindex built: the query parsed as omega does (English stemmer, STEM_SOME,
** OR by default), the top LIMIT documents fetched with their stored data
** (omindex's fixed sample of each file: Xapian makes no query snippets
** here). One line per query (bench_util.h).
**
**   xapian_bench DB QUERIES RUNS [LIMIT]
*/
#include <xapian.h>

#include <iostream>

#include "bench_util.h"

int main(int argc, char **argv)
{
    if (argc < 4) {
        std::cerr << "usage: xapian_bench DB QUERIES RUNS [LIMIT]\n";
        return 2;
    }
    int runs = atoi(argv[3]);
    int limit = argc > 4 ? atoi(argv[4]) : 10;
    if (runs < 1 || runs > 1000)
        return 2;
    bench_queries q;
    bench_read_queries(&q, argv[2]);
    try {
        Xapian::Database db(argv[1]);
        Xapian::Enquire enquire(db);
        Xapian::QueryParser qp;
        Xapian::Stem stem("english");
        qp.set_database(db);
        qp.set_stemmer(stem);
        qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        qp.set_default_op(Xapian::Query::OP_OR);
        std::vector<double> ms((size_t)q.n * (size_t)runs);
        std::vector<long> hits((size_t)q.n);
        size_t total = 0;
        for (int r = 0; r <= runs; r++) {
            for (int i = 0; i < q.n; i++) {
                double t0 = bench_now_ms();
                Xapian::Query query = qp.parse_query(q.line[i],
                    Xapian::QueryParser::FLAG_DEFAULT |
                    Xapian::QueryParser::FLAG_CJK_NGRAM);
                enquire.set_query(query);
                Xapian::MSet mset = enquire.get_mset(0, (Xapian::doccount)limit);
                size_t bytes = 0;
                for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it)
                    bytes += it.get_document().get_data().size();
                double t = bench_now_ms() - t0;
                hits[(size_t)i] = (long)mset.size();
                total += bytes;
                if (r > 0)
                    ms[(size_t)i * (size_t)runs + (size_t)(r - 1)] = t;
            }
        }
        for (int i = 0; i < q.n; i++)
            bench_report(&ms[(size_t)i * (size_t)runs], runs, hits[(size_t)i],
                         q.line[i]);
        std::cerr << "xapian_bench: " << total << " data bytes read\n";
    } catch (const Xapian::Error &e) {
        std::cerr << "xapian_bench: " << e.get_description() << "\n";
        return 2;
    }
    bench_free_queries(&q);
    return 0;
}
