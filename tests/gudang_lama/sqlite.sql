BEGIN TRANSACTION;
CREATE TABLE berkas_masuk (
	kunci_masuk TEXT NOT NULL, 
	sha256 TEXT NOT NULL, 
	dataset TEXT NOT NULL, 
	tahun INTEGER NOT NULL, 
	pengirim TEXT NOT NULL, 
	kunci_arsip TEXT NOT NULL, 
	nama_berkas TEXT NOT NULL, 
	ukuran BIGINT NOT NULL, 
	diterima_pada VARCHAR(32) NOT NULL, 
	status VARCHAR(32) NOT NULL, 
	baris_dibaca INTEGER NOT NULL, 
	baris_diterima INTEGER NOT NULL, 
	baris_ditolak INTEGER NOT NULL, 
	kunci_laporan TEXT, 
	run_id TEXT, 
	PRIMARY KEY (kunci_masuk, sha256)
);
INSERT INTO "berkas_masuk" VALUES('masuk/2025/fasilitas/35.07.01.2001/3507012001_fasilitas_2025.xlsx','0749e3426f5b5570eb84911733a6833a82ab8d6f5311858bee6c08bb40ab6812','fasilitas',2025,'35.07.01.2001','arsip/2025/fasilitas/35.07.01.2001/20261207T000102Z-0749e3426f5b5570-3507012001_fasilitas_2025.xlsx','3507012001_fasilitas_2025.xlsx',5594,'2026-12-07T00:01:02+00:00','diterima',1,1,0,'arsip/2025/fasilitas/35.07.01.2001/20261207T000102Z-0749e3426f5b5570-3507012001_fasilitas_2025.xlsx.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/fasilitas/35.07.01.2002/3507012002_fasilitas_2025.csv','7ba3ccdb90625c7155956c30e8751443317f203aa035aa5c02e7266d2891057a','fasilitas',2025,'35.07.01.2002','arsip/2025/fasilitas/35.07.01.2002/20261207T000102Z-7ba3ccdb90625c71-3507012002_fasilitas_2025.csv','3507012002_fasilitas_2025.csv',221,'2026-12-07T00:01:02+00:00','diterima',1,1,0,'arsip/2025/fasilitas/35.07.01.2002/20261207T000102Z-7ba3ccdb90625c71-3507012002_fasilitas_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/fasilitas/35.07.01.2003/3507012003_fasilitas_2025.csv','dd06aefb2da1996129cf584cf5716849f8f93db898cb20576a02f24458e1d03b','fasilitas',2025,'35.07.01.2003','arsip/2025/fasilitas/35.07.01.2003/20261207T000102Z-dd06aefb2da19961-3507012003_fasilitas_2025.csv','3507012003_fasilitas_2025.csv',219,'2026-12-07T00:01:02+00:00','diterima',1,1,0,'arsip/2025/fasilitas/35.07.01.2003/20261207T000102Z-dd06aefb2da19961-3507012003_fasilitas_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/fasilitas/35.07.01.2004/3507012004_fasilitas_2025.csv','71d4e35ac3d6a69b82d874c6dffbbee8e39b87866b1e3c83cde292306047e03a','fasilitas',2025,'35.07.01.2004','arsip/2025/fasilitas/35.07.01.2004/20261207T000102Z-71d4e35ac3d6a69b-3507012004_fasilitas_2025.csv','3507012004_fasilitas_2025.csv',218,'2026-12-07T00:01:02+00:00','diterima',1,1,0,'arsip/2025/fasilitas/35.07.01.2004/20261207T000102Z-71d4e35ac3d6a69b-3507012004_fasilitas_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/fasilitas/35.07.01.2005/3507012005_fasilitas_2025.csv','fc13d825d7f0995cae255c5eab6c430f6fa78d8c56a308887ee0daf93e8b9a28','fasilitas',2025,'35.07.01.2005','arsip/2025/fasilitas/35.07.01.2005/20261207T000102Z-fc13d825d7f0995c-3507012005_fasilitas_2025.csv','3507012005_fasilitas_2025.csv',224,'2026-12-07T00:01:02+00:00','ditolak',1,0,1,'arsip/2025/fasilitas/35.07.01.2005/20261207T000102Z-fc13d825d7f0995c-3507012005_fasilitas_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/fasilitas/35.07.01.2006/3507012006_fasilitas_2025.xlsx','f59f552fa89925500c25a422cc488cae9185d40d0f3233240a29e4c34ff8b5b0','fasilitas',2025,'35.07.01.2006','arsip/2025/fasilitas/35.07.01.2006/20261207T000102Z-f59f552fa8992550-3507012006_fasilitas_2025.xlsx','3507012006_fasilitas_2025.xlsx',5591,'2026-12-07T00:01:02+00:00','diterima',1,1,0,'arsip/2025/fasilitas/35.07.01.2006/20261207T000102Z-f59f552fa8992550-3507012006_fasilitas_2025.xlsx.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/fasilitas/35.07.01.2007/3507012007_fasilitas_2025.csv','4678fedbffc17288a88a5a5ea3ce4525c98cf075b34e94c20a0b6d063aa9d5f1','fasilitas',2025,'35.07.01.2007','arsip/2025/fasilitas/35.07.01.2007/20261207T000102Z-4678fedbffc17288-3507012007_fasilitas_2025.csv','3507012007_fasilitas_2025.csv',222,'2026-12-07T00:01:02+00:00','diterima',1,1,0,'arsip/2025/fasilitas/35.07.01.2007/20261207T000102Z-4678fedbffc17288-3507012007_fasilitas_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/fasilitas/35.07.01.2008/3507012008_fasilitas_2025.csv','facab7602efbb187b644adf19b655b1acc8352d729a131d1f95a1b2a12e567ee','fasilitas',2025,'35.07.01.2008','arsip/2025/fasilitas/35.07.01.2008/20261207T000102Z-facab7602efbb187-3507012008_fasilitas_2025.csv','3507012008_fasilitas_2025.csv',219,'2026-12-07T00:01:02+00:00','ditolak',1,0,1,'arsip/2025/fasilitas/35.07.01.2008/20261207T000102Z-facab7602efbb187-3507012008_fasilitas_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/fasilitas/35.07.01.2009/3507012009_fasilitas_2025.csv','90153ed48e559d53c04c043e10aea2144adcb9589edb6dea4d9a3573cf10efb3','fasilitas',2025,'35.07.01.2009','arsip/2025/fasilitas/35.07.01.2009/20261207T000102Z-90153ed48e559d53-3507012009_fasilitas_2025.csv','3507012009_fasilitas_2025.csv',215,'2026-12-07T00:01:02+00:00','diterima',1,1,0,'arsip/2025/fasilitas/35.07.01.2009/20261207T000102Z-90153ed48e559d53-3507012009_fasilitas_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/fasilitas/35.07.01.2010/3507012010_fasilitas_2025.csv','c92f8af81b4bc96e4f6466446d8d325ff7859c5271c8b61936041ec32ec6f407','fasilitas',2025,'35.07.01.2010','arsip/2025/fasilitas/35.07.01.2010/20261207T000102Z-c92f8af81b4bc96e-3507012010_fasilitas_2025.csv','3507012010_fasilitas_2025.csv',273,'2026-12-07T00:01:02+00:00','ditolak',2,0,2,'arsip/2025/fasilitas/35.07.01.2010/20261207T000102Z-c92f8af81b4bc96e-3507012010_fasilitas_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/kependudukan/35.07.01.2001/3507012001_kependudukan_2025.csv','22f087c55b4ea59eb51c663752dcfa29842414d3fcb3acc9394d77800d763874','kependudukan',2025,'35.07.01.2001','arsip/2025/kependudukan/35.07.01.2001/20261207T000102Z-22f087c55b4ea59e-3507012001_kependudukan_2025.csv','3507012001_kependudukan_2025.csv',180,'2026-12-07T00:01:02+00:00','ditolak',1,0,1,'arsip/2025/kependudukan/35.07.01.2001/20261207T000102Z-22f087c55b4ea59e-3507012001_kependudukan_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/kependudukan/35.07.01.2002/3507012002_kependudukan_2025.csv','d2bedd047571b5146763443a9f82a25effd0a4b3b4e9629ee8edbdf61f28323f','kependudukan',2025,'35.07.01.2002','arsip/2025/kependudukan/35.07.01.2002/20261207T000102Z-d2bedd047571b514-3507012002_kependudukan_2025.csv','3507012002_kependudukan_2025.csv',182,'2026-12-07T00:01:02+00:00','diterima',1,1,0,'arsip/2025/kependudukan/35.07.01.2002/20261207T000102Z-d2bedd047571b514-3507012002_kependudukan_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/kependudukan/35.07.01.2003/3507012003_kependudukan_2025.csv','7786915a35963540ddafbbfb0fb9f47c02b0cf4ce374a22fdbd569f9cc54d72a','kependudukan',2025,'35.07.01.2003','arsip/2025/kependudukan/35.07.01.2003/20261207T000102Z-7786915a35963540-3507012003_kependudukan_2025.csv','3507012003_kependudukan_2025.csv',178,'2026-12-07T00:01:02+00:00','ditolak',1,0,1,'arsip/2025/kependudukan/35.07.01.2003/20261207T000102Z-7786915a35963540-3507012003_kependudukan_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/kependudukan/35.07.01.2004/3507012004_kependudukan_2025.xlsx','cea7c21004702e3ba844002a68625fda7bb257246e35e657329ed783230938a4','kependudukan',2025,'35.07.01.2004','arsip/2025/kependudukan/35.07.01.2004/20261207T000102Z-cea7c21004702e3b-3507012004_kependudukan_2025.xlsx','3507012004_kependudukan_2025.xlsx',601,'2026-12-07T00:01:02+00:00','ditolak',0,0,0,'arsip/2025/kependudukan/35.07.01.2004/20261207T000102Z-cea7c21004702e3b-3507012004_kependudukan_2025.xlsx.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/kependudukan/35.07.01.2005/3507012005_kependudukan_2025.csv','4a4ac75aec59a08e93ea17d1024960e2464a8b21b0676761c128f5ff873ba7f3','kependudukan',2025,'35.07.01.2005','arsip/2025/kependudukan/35.07.01.2005/20261207T000102Z-4a4ac75aec59a08e-3507012005_kependudukan_2025.csv','3507012005_kependudukan_2025.csv',178,'2026-12-07T00:01:02+00:00','diterima',1,1,0,'arsip/2025/kependudukan/35.07.01.2005/20261207T000102Z-4a4ac75aec59a08e-3507012005_kependudukan_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/kependudukan/35.07.01.2006/3507012006_kependudukan_2025.xlsx','cfcd90230f6b128e52a3a8797892ccc43b084ac1aaaa289db57003876f7ffab2','kependudukan',2025,'35.07.01.2006','arsip/2025/kependudukan/35.07.01.2006/20261207T000102Z-cfcd90230f6b128e-3507012006_kependudukan_2025.xlsx','3507012006_kependudukan_2025.xlsx',5543,'2026-12-07T00:01:02+00:00','ditolak',1,0,1,'arsip/2025/kependudukan/35.07.01.2006/20261207T000102Z-cfcd90230f6b128e-3507012006_kependudukan_2025.xlsx.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/kependudukan/35.07.01.2007/3507012007_kependudukan_2025.csv','cacdac6d19eeadc7d77403ccb5866820e1cd0a6959759e79321cfce495564b33','kependudukan',2025,'35.07.01.2007','arsip/2025/kependudukan/35.07.01.2007/20261207T000102Z-cacdac6d19eeadc7-3507012007_kependudukan_2025.csv','3507012007_kependudukan_2025.csv',187,'2026-12-07T00:01:02+00:00','diterima',1,1,0,'arsip/2025/kependudukan/35.07.01.2007/20261207T000102Z-cacdac6d19eeadc7-3507012007_kependudukan_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/kependudukan/35.07.01.2008/3507012008_kependudukan_2025.csv','ab794f01fa711a805c93a88b290dbeaa156d0b5829706b8e25e2e394355bd798','kependudukan',2025,'35.07.01.2008','arsip/2025/kependudukan/35.07.01.2008/20261207T000102Z-ab794f01fa711a80-3507012008_kependudukan_2025.csv','3507012008_kependudukan_2025.csv',176,'2026-12-07T00:01:02+00:00','diterima',1,1,0,'arsip/2025/kependudukan/35.07.01.2008/20261207T000102Z-ab794f01fa711a80-3507012008_kependudukan_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/kependudukan/35.07.01.2009/3507012009_kependudukan_2025.csv','45f08db9ab54224ff3ae29690c43b46f9d34d0dc4ce5d6c198899b627c08963d','kependudukan',2025,'35.07.01.2009','arsip/2025/kependudukan/35.07.01.2009/20261207T000102Z-45f08db9ab54224f-3507012009_kependudukan_2025.csv','3507012009_kependudukan_2025.csv',178,'2026-12-07T00:01:02+00:00','diterima',1,1,0,'arsip/2025/kependudukan/35.07.01.2009/20261207T000102Z-45f08db9ab54224f-3507012009_kependudukan_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/kependudukan/35.07.01.2010/3507012010_kependudukan_2025.csv','b9e545d87b6cdf10acf078621487286c2d1f868bac14a4b7c6c16ae9a77ca857','kependudukan',2025,'35.07.01.2010','arsip/2025/kependudukan/35.07.01.2010/20261207T000102Z-b9e545d87b6cdf10-3507012010_kependudukan_2025.csv','3507012010_kependudukan_2025.csv',176,'2026-12-07T00:01:02+00:00','ditolak',1,0,1,'arsip/2025/kependudukan/35.07.01.2010/20261207T000102Z-b9e545d87b6cdf10-3507012010_kependudukan_2025.csv.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/kesehatan_anak/35.07-DINKES/kesehatan_anak_350701_2025.xlsx','2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590','kesehatan_anak',2025,'35.07-DINKES','arsip/2025/kesehatan_anak/35.07-DINKES/20261207T000102Z-2fb201cb21448b48-kesehatan_anak_350701_2025.xlsx','kesehatan_anak_350701_2025.xlsx',5914,'2026-12-07T00:01:02+00:00','diterima_dengan_catatan',10,7,3,'arsip/2025/kesehatan_anak/35.07-DINKES/20261207T000102Z-2fb201cb21448b48-kesehatan_anak_350701_2025.xlsx.laporan.json','lama-1');
INSERT INTO "berkas_masuk" VALUES('masuk/2025/proyeksi_penduduk/BPS/proyeksi_penduduk_350701_2025.csv','6b0c8683c46b2ea3ff058af6979c67852d36087f555b45a2ea40c28c207c40e6','proyeksi_penduduk',2025,'BPS','arsip/2025/proyeksi_penduduk/BPS/20261207T000102Z-6b0c8683c46b2ea3-proyeksi_penduduk_350701_2025.csv','proyeksi_penduduk_350701_2025.csv',274,'2026-12-07T00:01:02+00:00','diterima',10,10,0,'arsip/2025/proyeksi_penduduk/BPS/20261207T000102Z-6b0c8683c46b2ea3-proyeksi_penduduk_350701_2025.csv.laporan.json','lama-1');
CREATE TABLE data_fasilitas (
	kode_desa VARCHAR(13) NOT NULL, 
	tahun INTEGER NOT NULL, 
	jumlah_sd BIGINT NOT NULL, 
	jumlah_smp BIGINT NOT NULL, 
	jumlah_sma BIGINT NOT NULL, 
	jumlah_puskesmas BIGINT NOT NULL, 
	jumlah_pustu BIGINT NOT NULL, 
	jumlah_posyandu BIGINT NOT NULL, 
	jumlah_pasar BIGINT NOT NULL, 
	sumber_penerangan TEXT NOT NULL, 
	jenis_permukaan_jalan TEXT NOT NULL, 
	sinyal_internet TEXT NOT NULL, 
	sha256_berkas TEXT NOT NULL, 
	baris_berkas INTEGER NOT NULL, 
	diterima_pada VARCHAR(32) NOT NULL, 
	PRIMARY KEY (kode_desa, tahun)
);
INSERT INTO "data_fasilitas" VALUES('35.07.01.2001',2025,6,1,1,0,1,4,1,'PLN','ASPAL_BETON','3G','0749e3426f5b5570eb84911733a6833a82ab8d6f5311858bee6c08bb40ab6812',4,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_fasilitas" VALUES('35.07.01.2007',2025,6,2,1,0,0,10,1,'PLN','ASPAL_BETON','4G_5G','4678fedbffc17288a88a5a5ea3ce4525c98cf075b34e94c20a0b6d063aa9d5f1',2,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_fasilitas" VALUES('35.07.01.2004',2025,1,0,0,0,1,6,1,'PLN','ASPAL_BETON','4G_5G','71d4e35ac3d6a69b82d874c6dffbbee8e39b87866b1e3c83cde292306047e03a',2,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_fasilitas" VALUES('35.07.01.2002',2025,2,2,1,0,0,0,0,'PLN','ASPAL_BETON','4G_5G','7ba3ccdb90625c7155956c30e8751443317f203aa035aa5c02e7266d2891057a',2,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_fasilitas" VALUES('35.07.01.2009',2025,5,1,0,1,0,9,0,'PLN','ASPAL_BETON','3G','90153ed48e559d53c04c043e10aea2144adcb9589edb6dea4d9a3573cf10efb3',2,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_fasilitas" VALUES('35.07.01.2003',2025,6,1,1,0,0,13,0,'PLN','ASPAL_BETON','4G_5G','dd06aefb2da1996129cf584cf5716849f8f93db898cb20576a02f24458e1d03b',2,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_fasilitas" VALUES('35.07.01.2006',2025,4,0,1,0,1,7,0,'PLN','ASPAL_BETON','3G','f59f552fa89925500c25a422cc488cae9185d40d0f3233240a29e4c34ff8b5b0',4,'2026-12-07T00:01:02+00:00');
CREATE TABLE data_kependudukan (
	kode_desa VARCHAR(13) NOT NULL, 
	tahun INTEGER NOT NULL, 
	penduduk_laki BIGINT NOT NULL, 
	penduduk_perempuan BIGINT NOT NULL, 
	jumlah_penduduk BIGINT NOT NULL, 
	jumlah_kk BIGINT NOT NULL, 
	kelahiran BIGINT NOT NULL, 
	kematian BIGINT NOT NULL, 
	penduduk_datang BIGINT NOT NULL, 
	penduduk_pindah BIGINT NOT NULL, 
	sha256_berkas TEXT NOT NULL, 
	baris_berkas INTEGER NOT NULL, 
	diterima_pada VARCHAR(32) NOT NULL, 
	PRIMARY KEY (kode_desa, tahun)
);
INSERT INTO "data_kependudukan" VALUES('35.07.01.2009',2025,3330,3422,6752,1938,128,43,31,41,'45f08db9ab54224ff3ae29690c43b46f9d34d0dc4ce5d6c198899b627c08963d',2,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_kependudukan" VALUES('35.07.01.2005',2025,3938,3880,7818,2203,88,40,156,53,'4a4ac75aec59a08e93ea17d1024960e2464a8b21b0676761c128f5ff873ba7f3',2,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_kependudukan" VALUES('35.07.01.2008',2025,1056,1036,2092,589,23,12,10,24,'ab794f01fa711a805c93a88b290dbeaa156d0b5829706b8e25e2e394355bd798',2,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_kependudukan" VALUES('35.07.01.2007',2025,4535,4529,9064,2829,116,45,136,158,'cacdac6d19eeadc7d77403ccb5866820e1cd0a6959759e79321cfce495564b33',2,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_kependudukan" VALUES('35.07.01.2002',2025,1515,1596,3111,848,38,23,29,28,'d2bedd047571b5146763443a9f82a25effd0a4b3b4e9629ee8edbdf61f28323f',2,'2026-12-07T00:01:02+00:00');
CREATE TABLE data_kesehatan_anak (
	kode_desa VARCHAR(13) NOT NULL, 
	tahun INTEGER NOT NULL, 
	kode_opd TEXT NOT NULL, 
	jumlah_balita BIGINT NOT NULL, 
	balita_ditimbang BIGINT NOT NULL, 
	balita_stunting BIGINT NOT NULL, 
	jumlah_ibu_hamil BIGINT NOT NULL, 
	sha256_berkas TEXT NOT NULL, 
	baris_berkas INTEGER NOT NULL, 
	diterima_pada VARCHAR(32) NOT NULL, 
	PRIMARY KEY (kode_desa, tahun)
);
INSERT INTO "data_kesehatan_anak" VALUES('35.07.01.2001',2025,'35.07-DINKES',204,150,22,49,'2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590',4,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_kesehatan_anak" VALUES('35.07.01.2002',2025,'35.07-DINKES',622,498,100,32,'2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590',5,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_kesehatan_anak" VALUES('35.07.01.2003',2025,'35.07-DINKES',610,503,86,115,'2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590',6,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_kesehatan_anak" VALUES('35.07.01.2006',2025,'35.07-DINKES',668,568,110,130,'2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590',9,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_kesehatan_anak" VALUES('35.07.01.2007',2025,'35.07-DINKES',751,571,78,172,'2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590',10,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_kesehatan_anak" VALUES('35.07.01.2008',2025,'35.07-DINKES',142,122,73,37,'2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590',11,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_kesehatan_anak" VALUES('35.07.01.2010',2025,'35.07-DINKES',223,197,30,54,'2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590',13,'2026-12-07T00:01:02+00:00');
CREATE TABLE data_proyeksi_penduduk (
	kode_desa VARCHAR(13) NOT NULL, 
	tahun INTEGER NOT NULL, 
	proyeksi_penduduk BIGINT NOT NULL, 
	sha256_berkas TEXT NOT NULL, 
	baris_berkas INTEGER NOT NULL, 
	diterima_pada VARCHAR(32) NOT NULL, 
	PRIMARY KEY (kode_desa, tahun)
);
INSERT INTO "data_proyeksi_penduduk" VALUES('35.07.01.2001',2025,3124,'6b0c8683c46b2ea3ff058af6979c67852d36087f555b45a2ea40c28c207c40e6',2,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_proyeksi_penduduk" VALUES('35.07.01.2002',2025,3173,'6b0c8683c46b2ea3ff058af6979c67852d36087f555b45a2ea40c28c207c40e6',3,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_proyeksi_penduduk" VALUES('35.07.01.2003',2025,9838,'6b0c8683c46b2ea3ff058af6979c67852d36087f555b45a2ea40c28c207c40e6',4,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_proyeksi_penduduk" VALUES('35.07.01.2004',2025,6701,'6b0c8683c46b2ea3ff058af6979c67852d36087f555b45a2ea40c28c207c40e6',5,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_proyeksi_penduduk" VALUES('35.07.01.2005',2025,8053,'6b0c8683c46b2ea3ff058af6979c67852d36087f555b45a2ea40c28c207c40e6',6,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_proyeksi_penduduk" VALUES('35.07.01.2006',2025,8056,'6b0c8683c46b2ea3ff058af6979c67852d36087f555b45a2ea40c28c207c40e6',7,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_proyeksi_penduduk" VALUES('35.07.01.2007',2025,9241,'6b0c8683c46b2ea3ff058af6979c67852d36087f555b45a2ea40c28c207c40e6',8,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_proyeksi_penduduk" VALUES('35.07.01.2008',2025,2102,'6b0c8683c46b2ea3ff058af6979c67852d36087f555b45a2ea40c28c207c40e6',9,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_proyeksi_penduduk" VALUES('35.07.01.2009',2025,6905,'6b0c8683c46b2ea3ff058af6979c67852d36087f555b45a2ea40c28c207c40e6',10,'2026-12-07T00:01:02+00:00');
INSERT INTO "data_proyeksi_penduduk" VALUES('35.07.01.2010',2025,3294,'6b0c8683c46b2ea3ff058af6979c67852d36087f555b45a2ea40c28c207c40e6',11,'2026-12-07T00:01:02+00:00');
CREATE TABLE indikator (
	tahun INTEGER NOT NULL, 
	tingkat TEXT NOT NULL, 
	kode_wilayah VARCHAR(13) NOT NULL, 
	indikator TEXT NOT NULL, 
	nama_wilayah TEXT NOT NULL, 
	nilai FLOAT, 
	satuan VARCHAR(32) NOT NULL, 
	desa_kontribusi INTEGER NOT NULL, 
	desa_total INTEGER NOT NULL, 
	PRIMARY KEY (tahun, tingkat, kode_wilayah, indikator)
);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2001','persen_desa_listrik_pln','Tulungrejo',100.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2001','persen_desa_sinyal_4g','Tulungrejo',0.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2001','posyandu_per_1000_balita','Tulungrejo',19.607843,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2001','prevalensi_stunting','Tulungrejo',14.666667,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2002','angka_kelahiran_kasar','Banjarejo',12.214722,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2002','angka_kematian_kasar','Banjarejo',7.393121,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2002','jumlah_penduduk','Banjarejo',3111.0,'jiwa',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2002','persen_desa_listrik_pln','Banjarejo',100.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2002','persen_desa_sinyal_4g','Banjarejo',100.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2002','posyandu_per_1000_balita','Banjarejo',0.0,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2002','prevalensi_stunting','Banjarejo',20.080321,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2002','rasio_jenis_kelamin','Banjarejo',94.924812,'-',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2002','rata_rata_anggota_kk','Banjarejo',3.668632,'jiwa/KK',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2003','persen_desa_listrik_pln','Kedungsalam',100.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2003','persen_desa_sinyal_4g','Kedungsalam',100.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2003','posyandu_per_1000_balita','Kedungsalam',21.311475,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2003','prevalensi_stunting','Kedungsalam',17.097416,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2004','persen_desa_listrik_pln','Tlogosari',100.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2004','persen_desa_sinyal_4g','Tlogosari',100.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2005','angka_kelahiran_kasar','Tempursari',11.256076,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2005','angka_kematian_kasar','Tempursari',5.116398,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2005','jumlah_penduduk','Tempursari',7818.0,'jiwa',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2005','rasio_jenis_kelamin','Tempursari',101.494845,'-',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2005','rata_rata_anggota_kk','Tempursari',3.548797,'jiwa/KK',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2006','persen_desa_listrik_pln','Donomulyo',100.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2006','persen_desa_sinyal_4g','Donomulyo',0.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2006','posyandu_per_1000_balita','Donomulyo',10.479042,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2006','prevalensi_stunting','Donomulyo',19.366197,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2007','angka_kelahiran_kasar','Purworejo',12.797882,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2007','angka_kematian_kasar','Purworejo',4.964695,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2007','jumlah_penduduk','Purworejo',9064.0,'jiwa',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2007','persen_desa_listrik_pln','Purworejo',100.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2007','persen_desa_sinyal_4g','Purworejo',100.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2007','posyandu_per_1000_balita','Purworejo',13.315579,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2007','prevalensi_stunting','Purworejo',13.660245,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2007','rasio_jenis_kelamin','Purworejo',100.13248,'-',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2007','rata_rata_anggota_kk','Purworejo',3.203959,'jiwa/KK',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2008','angka_kelahiran_kasar','Sumberoto',10.994264,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2008','angka_kematian_kasar','Sumberoto',5.736138,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2008','jumlah_penduduk','Sumberoto',2092.0,'jiwa',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2008','prevalensi_stunting','Sumberoto',59.836066,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2008','rasio_jenis_kelamin','Sumberoto',101.930502,'-',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2008','rata_rata_anggota_kk','Sumberoto',3.551783,'jiwa/KK',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2009','angka_kelahiran_kasar','Mentaraman',18.957346,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2009','angka_kematian_kasar','Mentaraman',6.368483,'per 1000',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2009','jumlah_penduduk','Mentaraman',6752.0,'jiwa',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2009','persen_desa_listrik_pln','Mentaraman',100.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2009','persen_desa_sinyal_4g','Mentaraman',0.0,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2009','rasio_jenis_kelamin','Mentaraman',97.311514,'-',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2009','rata_rata_anggota_kk','Mentaraman',3.484004,'jiwa/KK',1,1);
INSERT INTO "indikator" VALUES(2025,'desa','35.07.01.2010','prevalensi_stunting','Purwodadi',15.228426,'%',1,1);
INSERT INTO "indikator" VALUES(2025,'kecamatan','35.07.01','angka_kelahiran_kasar','Donomulyo',13.628325,'per 1000',5,10);
INSERT INTO "indikator" VALUES(2025,'kecamatan','35.07.01','angka_kematian_kasar','Donomulyo',5.65246,'per 1000',5,10);
INSERT INTO "indikator" VALUES(2025,'kecamatan','35.07.01','jumlah_penduduk','Donomulyo',28837.0,'jiwa',5,10);
INSERT INTO "indikator" VALUES(2025,'kecamatan','35.07.01','persen_desa_listrik_pln','Donomulyo',100.0,'%',7,10);
INSERT INTO "indikator" VALUES(2025,'kecamatan','35.07.01','persen_desa_sinyal_4g','Donomulyo',57.142857,'%',7,10);
INSERT INTO "indikator" VALUES(2025,'kecamatan','35.07.01','posyandu_per_1000_balita','Donomulyo',11.908932,'per 1000',5,10);
INSERT INTO "indikator" VALUES(2025,'kecamatan','35.07.01','prevalensi_stunting','Donomulyo',19.126102,'%',7,10);
INSERT INTO "indikator" VALUES(2025,'kecamatan','35.07.01','rasio_jenis_kelamin','Donomulyo',99.384637,'-',5,10);
INSERT INTO "indikator" VALUES(2025,'kecamatan','35.07.01','rata_rata_anggota_kk','Donomulyo',3.430118,'jiwa/KK',5,10);
CREATE TABLE isu_validasi (
	sha256_berkas TEXT NOT NULL, 
	dataset TEXT NOT NULL, 
	tahun INTEGER NOT NULL, 
	pengirim TEXT NOT NULL, 
	baris INTEGER, 
	kolom TEXT, 
	aturan VARCHAR(32) NOT NULL, 
	keparahan TEXT NOT NULL, 
	tingkat INTEGER, 
	pesan TEXT NOT NULL, 
	nilai TEXT, 
	diharapkan TEXT
);
INSERT INTO "isu_validasi" VALUES('0749e3426f5b5570eb84911733a6833a82ab8d6f5311858bee6c08bb40ab6812','fasilitas',2025,'35.07.01.2001',NULL,NULL,'STR-LEMBAR','info',0,'Berkas punya 2 lembar; yang dibaca lembar ''Data''.','Data',NULL);
INSERT INTO "isu_validasi" VALUES('0749e3426f5b5570eb84911733a6833a82ab8d6f5311858bee6c08bb40ab6812','fasilitas',2025,'35.07.01.2001',3,NULL,'STR-JUDUL','info',0,'Judul kolom ditemukan di baris 3; 2 baris di atasnya diabaikan.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('0749e3426f5b5570eb84911733a6833a82ab8d6f5311858bee6c08bb40ab6812','fasilitas',2025,'35.07.01.2001',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: FAS-03.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('7ba3ccdb90625c7155956c30e8751443317f203aa035aa5c02e7266d2891057a','fasilitas',2025,'35.07.01.2002',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: FAS-03.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('dd06aefb2da1996129cf584cf5716849f8f93db898cb20576a02f24458e1d03b','fasilitas',2025,'35.07.01.2003',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: FAS-03.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('71d4e35ac3d6a69b82d874c6dffbbee8e39b87866b1e3c83cde292306047e03a','fasilitas',2025,'35.07.01.2004',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: FAS-03.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('fc13d825d7f0995cae255c5eab6c430f6fa78d8c56a308887ee0daf93e8b9a28','fasilitas',2025,'35.07.01.2005',2,'sumber_penerangan','FAS-01','error',1,'Baris 2: kolom sumber_penerangan berisi ''LISTRIK DESA''; pilihan yang sah: PLN, NON_PLN, TIDAK_ADA.','LISTRIK DESA','PLN | NON_PLN | TIDAK_ADA');
INSERT INTO "isu_validasi" VALUES('fc13d825d7f0995cae255c5eab6c430f6fa78d8c56a308887ee0daf93e8b9a28','fasilitas',2025,'35.07.01.2005',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: FAS-03.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('f59f552fa89925500c25a422cc488cae9185d40d0f3233240a29e4c34ff8b5b0','fasilitas',2025,'35.07.01.2006',NULL,NULL,'STR-LEMBAR','info',0,'Berkas punya 2 lembar; yang dibaca lembar ''Data''.','Data',NULL);
INSERT INTO "isu_validasi" VALUES('f59f552fa89925500c25a422cc488cae9185d40d0f3233240a29e4c34ff8b5b0','fasilitas',2025,'35.07.01.2006',3,NULL,'STR-JUDUL','info',0,'Judul kolom ditemukan di baris 3; 2 baris di atasnya diabaikan.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('f59f552fa89925500c25a422cc488cae9185d40d0f3233240a29e4c34ff8b5b0','fasilitas',2025,'35.07.01.2006',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: FAS-03.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('4678fedbffc17288a88a5a5ea3ce4525c98cf075b34e94c20a0b6d063aa9d5f1','fasilitas',2025,'35.07.01.2007',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: FAS-03.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('facab7602efbb187b644adf19b655b1acc8352d729a131d1f95a1b2a12e567ee','fasilitas',2025,'35.07.01.2008',2,'jumlah_sd','FAS-01','error',1,'Baris 2: kolom jumlah_sd bernilai -1; tidak boleh negatif.','-1','≥ 0');
INSERT INTO "isu_validasi" VALUES('facab7602efbb187b644adf19b655b1acc8352d729a131d1f95a1b2a12e567ee','fasilitas',2025,'35.07.01.2008',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: FAS-03.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('90153ed48e559d53c04c043e10aea2144adcb9589edb6dea4d9a3573cf10efb3','fasilitas',2025,'35.07.01.2009',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: FAS-03.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('c92f8af81b4bc96e4f6466446d8d325ff7859c5271c8b61936041ec32ec6f407','fasilitas',2025,'35.07.01.2010',2,'kode_desa','FAS-02','error',1,'Baris 2: desa 35.07.01.2010 tahun 2025 muncul lebih dari sekali di berkas ini. Sisakan satu baris per desa.','35.07.01.2010','satu baris per desa per tahun');
INSERT INTO "isu_validasi" VALUES('c92f8af81b4bc96e4f6466446d8d325ff7859c5271c8b61936041ec32ec6f407','fasilitas',2025,'35.07.01.2010',3,'kode_desa','FAS-02','error',1,'Baris 3: desa 35.07.01.2010 tahun 2025 muncul lebih dari sekali di berkas ini. Sisakan satu baris per desa.','35.07.01.2010','satu baris per desa per tahun');
INSERT INTO "isu_validasi" VALUES('c92f8af81b4bc96e4f6466446d8d325ff7859c5271c8b61936041ec32ec6f407','fasilitas',2025,'35.07.01.2010',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: FAS-03.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('22f087c55b4ea59eb51c663752dcfa29842414d3fcb3acc9394d77800d763874','kependudukan',2025,'35.07.01.2001',2,'penduduk_datang','KEP-01','error',0,'Baris 2: kolom penduduk_datang berisi ''48,5''; harus bilangan bulat ≥ 0 (tanpa desimal). (nilai ''48,5'' bukan bilangan bulat.)','48,5','bilangan bulat ≥ 0');
INSERT INTO "isu_validasi" VALUES('22f087c55b4ea59eb51c663752dcfa29842414d3fcb3acc9394d77800d763874','kependudukan',2025,'35.07.01.2001',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: KEP-08, KEP-09.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('d2bedd047571b5146763443a9f82a25effd0a4b3b4e9629ee8edbdf61f28323f','kependudukan',2025,'35.07.01.2002',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: KEP-08, KEP-09.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('7786915a35963540ddafbbfb0fb9f47c02b0cf4ce374a22fdbd569f9cc54d72a','kependudukan',2025,'35.07.01.2003',2,'jumlah_penduduk','KEP-02','error',1,'Baris 2: jumlah_penduduk (9947) tidak sama dengan penduduk_laki + penduduk_perempuan (4855 + 5075).','9947','penduduk_laki + penduduk_perempuan');
INSERT INTO "isu_validasi" VALUES('7786915a35963540ddafbbfb0fb9f47c02b0cf4ce374a22fdbd569f9cc54d72a','kependudukan',2025,'35.07.01.2003',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: KEP-08, KEP-09.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('cea7c21004702e3ba844002a68625fda7bb257246e35e657329ed783230938a4','kependudukan',2025,'35.07.01.2004',NULL,NULL,'STR-00','error',0,'Berkas bukan CSV atau XLSX (isi biner tidak dikenal). Kirim berkas .csv atau .xlsx.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('4a4ac75aec59a08e93ea17d1024960e2464a8b21b0676761c128f5ff873ba7f3','kependudukan',2025,'35.07.01.2005',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: KEP-08, KEP-09.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('cfcd90230f6b128e52a3a8797892ccc43b084ac1aaaa289db57003876f7ffab2','kependudukan',2025,'35.07.01.2006',NULL,'penduduk_pindah','STR-01','error',0,'Kolom wajib ''penduduk_pindah'' tidak ada di berkas. Tambahkan kolom ''penduduk_pindah'' (lihat templat).',NULL,'kolom penduduk_pindah');
INSERT INTO "isu_validasi" VALUES('cfcd90230f6b128e52a3a8797892ccc43b084ac1aaaa289db57003876f7ffab2','kependudukan',2025,'35.07.01.2006',NULL,NULL,'STR-LEMBAR','info',0,'Berkas punya 2 lembar; yang dibaca lembar ''Data''.','Data',NULL);
INSERT INTO "isu_validasi" VALUES('cfcd90230f6b128e52a3a8797892ccc43b084ac1aaaa289db57003876f7ffab2','kependudukan',2025,'35.07.01.2006',3,NULL,'STR-JUDUL','info',0,'Judul kolom ditemukan di baris 3; 2 baris di atasnya diabaikan.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('cfcd90230f6b128e52a3a8797892ccc43b084ac1aaaa289db57003876f7ffab2','kependudukan',2025,'35.07.01.2006',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: KEP-08, KEP-09.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('cacdac6d19eeadc7d77403ccb5866820e1cd0a6959759e79321cfce495564b33','kependudukan',2025,'35.07.01.2007',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: KEP-08, KEP-09.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('ab794f01fa711a805c93a88b290dbeaa156d0b5829706b8e25e2e394355bd798','kependudukan',2025,'35.07.01.2008',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: KEP-08, KEP-09.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('45f08db9ab54224ff3ae29690c43b46f9d34d0dc4ce5d6c198899b627c08963d','kependudukan',2025,'35.07.01.2009',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: KEP-08, KEP-09.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('b9e545d87b6cdf10acf078621487286c2d1f868bac14a4b7c6c16ae9a77ca857','kependudukan',2025,'35.07.01.2010',2,'kematian','KEP-01','error',1,'Baris 2: kolom kematian bernilai -3; tidak boleh negatif.','-3','≥ 0');
INSERT INTO "isu_validasi" VALUES('b9e545d87b6cdf10acf078621487286c2d1f868bac14a4b7c6c16ae9a77ca857','kependudukan',2025,'35.07.01.2010',NULL,NULL,'GERBANG','info',NULL,'Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: KEP-08, KEP-09.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590','kesehatan_anak',2025,'35.07-DINKES',7,'balita_stunting','KES-02','error',1,'Baris 7: balita_stunting (449) lebih besar dari balita_ditimbang (447).','449','≤ balita_ditimbang');
INSERT INTO "isu_validasi" VALUES('2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590','kesehatan_anak',2025,'35.07-DINKES',7,'balita_stunting','KES-04','warning',1,'Baris 7: prevalensi stunting 1,00 di atas 0,5 (balita_stunting 449 dari 447 ditimbang).','449','≤ 0,5');
INSERT INTO "isu_validasi" VALUES('2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590','kesehatan_anak',2025,'35.07-DINKES',8,'kode_opd','KES-01','error',1,'Baris 8: kode_opd ''35.07-DINKS'' bukan perangkat daerah yang terdaftar di kabupaten ini.','35.07-DINKS','kode OPD terdaftar, mis. 35.07-DINKES');
INSERT INTO "isu_validasi" VALUES('2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590','kesehatan_anak',2025,'35.07-DINKES',11,'balita_stunting','KES-04','warning',1,'Baris 11: prevalensi stunting 0,60 di atas 0,5 (balita_stunting 73 dari 122 ditimbang).','73','≤ 0,5');
INSERT INTO "isu_validasi" VALUES('2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590','kesehatan_anak',2025,'35.07-DINKES',12,'balita_ditimbang','KES-02','error',1,'Baris 12: balita_ditimbang (568) lebih besar dari jumlah_balita (565).','568','≤ jumlah_balita');
INSERT INTO "isu_validasi" VALUES('2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590','kesehatan_anak',2025,'35.07-DINKES',NULL,NULL,'STR-LEMBAR','info',0,'Berkas punya 2 lembar; yang dibaca lembar ''Data''.','Data',NULL);
INSERT INTO "isu_validasi" VALUES('2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590','kesehatan_anak',2025,'35.07-DINKES',3,NULL,'STR-JUDUL','info',0,'Judul kolom ditemukan di baris 3; 2 baris di atasnya diabaikan.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590','kesehatan_anak',2025,'35.07-DINKES',14,NULL,'STR-TOTAL','info',0,'Baris 14 adalah baris jumlah/total; tidak disimpan sebagai desa.',NULL,NULL);
INSERT INTO "isu_validasi" VALUES('7ba3ccdb90625c7155956c30e8751443317f203aa035aa5c02e7266d2891057a','fasilitas',2025,'35.07.01.2002',2,'jumlah_posyandu','FAS-03','warning',4,'Baris 2: desa berpenduduk 3111 jiwa (>1.000) tetapi jumlah_posyandu 0.0.','0.0','≥ 1 bila penduduk > 1.000');
INSERT INTO "isu_validasi" VALUES('2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590','kesehatan_anak',2025,'35.07-DINKES',5,'jumlah_balita','KES-05','warning',4,'Baris 5: jumlah_balita 622.0 lebih dari 15% jumlah penduduk desa (3111).','622.0','≤ 0,15 × jumlah_penduduk');
CREATE TABLE karantina_baris (
	sha256_berkas TEXT NOT NULL, 
	baris INTEGER NOT NULL, 
	dataset TEXT NOT NULL, 
	tahun INTEGER NOT NULL, 
	kode_desa TEXT, 
	isi TEXT NOT NULL, 
	alasan TEXT NOT NULL, 
	PRIMARY KEY (sha256_berkas, baris)
);
INSERT INTO "karantina_baris" VALUES('fc13d825d7f0995cae255c5eab6c430f6fa78d8c56a308887ee0daf93e8b9a28',2,'fasilitas',2025,'35.07.01.2005','{"jenis_permukaan_jalan": "ASPAL_BETON", "jumlah_pasar": "1", "jumlah_posyandu": "9", "jumlah_puskesmas": "0", "jumlah_pustu": "0", "jumlah_sd": "1", "jumlah_sma": "0", "jumlah_smp": "2", "kode_desa": "35.07.01.2005", "sinyal_internet": "2G", "sumber_penerangan": "LISTRIK DESA", "tahun": "2025"}','FAS-01: Baris 2: kolom sumber_penerangan berisi ''LISTRIK DESA''; pilihan yang sah: PLN, NON_PLN, TIDAK_ADA.');
INSERT INTO "karantina_baris" VALUES('facab7602efbb187b644adf19b655b1acc8352d729a131d1f95a1b2a12e567ee',2,'fasilitas',2025,'35.07.01.2008','{"jenis_permukaan_jalan": "ASPAL_BETON", "jumlah_pasar": "2", "jumlah_posyandu": "3", "jumlah_puskesmas": "1", "jumlah_pustu": "1", "jumlah_sd": "-1", "jumlah_sma": "0", "jumlah_smp": "0", "kode_desa": "35.07.01.2008", "sinyal_internet": "4G_5G", "sumber_penerangan": "PLN", "tahun": "2025"}','FAS-01: Baris 2: kolom jumlah_sd bernilai -1; tidak boleh negatif.');
INSERT INTO "karantina_baris" VALUES('c92f8af81b4bc96e4f6466446d8d325ff7859c5271c8b61936041ec32ec6f407',2,'fasilitas',2025,'35.07.01.2010','{"jenis_permukaan_jalan": "ASPAL_BETON", "jumlah_pasar": "0", "jumlah_posyandu": "4", "jumlah_puskesmas": "0", "jumlah_pustu": "1", "jumlah_sd": "1", "jumlah_sma": "0", "jumlah_smp": "0", "kode_desa": "35.07.01.2010", "sinyal_internet": "4G_5G", "sumber_penerangan": "PLN", "tahun": "2025"}','FAS-02: Baris 2: desa 35.07.01.2010 tahun 2025 muncul lebih dari sekali di berkas ini. Sisakan satu baris per desa.');
INSERT INTO "karantina_baris" VALUES('c92f8af81b4bc96e4f6466446d8d325ff7859c5271c8b61936041ec32ec6f407',3,'fasilitas',2025,'35.07.01.2010','{"jenis_permukaan_jalan": "ASPAL_BETON", "jumlah_pasar": "0", "jumlah_posyandu": "4", "jumlah_puskesmas": "0", "jumlah_pustu": "1", "jumlah_sd": "1", "jumlah_sma": "0", "jumlah_smp": "0", "kode_desa": "35.07.01.2010", "sinyal_internet": "4G_5G", "sumber_penerangan": "PLN", "tahun": "2025"}','FAS-02: Baris 3: desa 35.07.01.2010 tahun 2025 muncul lebih dari sekali di berkas ini. Sisakan satu baris per desa.');
INSERT INTO "karantina_baris" VALUES('22f087c55b4ea59eb51c663752dcfa29842414d3fcb3acc9394d77800d763874',2,'kependudukan',2025,'35.07.01.2001','{"jumlah_kk": "835", "jumlah_penduduk": "3164", "kelahiran": "50", "kematian": "15", "kode_desa": "35.07.01.2001", "penduduk_datang": "48,5", "penduduk_laki": "1623", "penduduk_perempuan": "1541", "penduduk_pindah": "42", "tahun": "2025"}','KEP-01: Baris 2: kolom penduduk_datang berisi ''48,5''; harus bilangan bulat ≥ 0 (tanpa desimal). (nilai ''48,5'' bukan bilangan bulat.)');
INSERT INTO "karantina_baris" VALUES('7786915a35963540ddafbbfb0fb9f47c02b0cf4ce374a22fdbd569f9cc54d72a',2,'kependudukan',2025,'35.07.01.2003','{"jumlah_kk": "2827", "jumlah_penduduk": "9947", "kelahiran": "179", "kematian": "50", "kode_desa": "35.07.01.2003", "penduduk_datang": "42", "penduduk_laki": "4855", "penduduk_perempuan": "5075", "penduduk_pindah": "90", "tahun": "2025"}','KEP-02: Baris 2: jumlah_penduduk (9947) tidak sama dengan penduduk_laki + penduduk_perempuan (4855 + 5075).');
INSERT INTO "karantina_baris" VALUES('cea7c21004702e3ba844002a68625fda7bb257246e35e657329ed783230938a4',0,'kependudukan',2025,NULL,'{"nama_berkas": "3507012004_kependudukan_2025.xlsx", "ukuran": 601}','STR-00: Berkas bukan CSV atau XLSX (isi biner tidak dikenal). Kirim berkas .csv atau .xlsx.');
INSERT INTO "karantina_baris" VALUES('cfcd90230f6b128e52a3a8797892ccc43b084ac1aaaa289db57003876f7ffab2',4,'kependudukan',2025,'35.07.01.2006','{"jumlah_kk": "1993", "jumlah_penduduk": "7935", "kelahiran": "116", "kematian": "33", "kode_desa": "35.07.01.2006", "penduduk_datang": "90", "penduduk_laki": "3936", "penduduk_perempuan": "3999", "tahun": "2025"}','STR-01: Kolom wajib ''penduduk_pindah'' tidak ada di berkas. Tambahkan kolom ''penduduk_pindah'' (lihat templat).');
INSERT INTO "karantina_baris" VALUES('b9e545d87b6cdf10acf078621487286c2d1f868bac14a4b7c6c16ae9a77ca857',2,'kependudukan',2025,'35.07.01.2010','{"jumlah_kk": "986", "jumlah_penduduk": "3308", "kelahiran": "47", "kematian": "-3", "kode_desa": "35.07.01.2010", "penduduk_datang": "58", "penduduk_laki": "1618", "penduduk_perempuan": "1690", "penduduk_pindah": "52", "tahun": "2025"}','KEP-01: Baris 2: kolom kematian bernilai -3; tidak boleh negatif.');
INSERT INTO "karantina_baris" VALUES('2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590',7,'kesehatan_anak',2025,'35.07.01.2004','{"balita_ditimbang": "447", "balita_stunting": "449", "jumlah_balita": "579", "jumlah_ibu_hamil": "124", "kode_desa": "35.07.01.2004", "kode_opd": "35.07-DINKES", "tahun": "2025"}','KES-02: Baris 7: balita_stunting (449) lebih besar dari balita_ditimbang (447).');
INSERT INTO "karantina_baris" VALUES('2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590',8,'kesehatan_anak',2025,'35.07.01.2005','{"balita_ditimbang": "543", "balita_stunting": "124", "jumlah_balita": "638", "jumlah_ibu_hamil": "139", "kode_desa": "35.07.01.2005", "kode_opd": "35.07-DINKS", "tahun": "2025"}','KES-01: Baris 8: kode_opd ''35.07-DINKS'' bukan perangkat daerah yang terdaftar di kabupaten ini.');
INSERT INTO "karantina_baris" VALUES('2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590',12,'kesehatan_anak',2025,'35.07.01.2009','{"balita_ditimbang": "568", "balita_stunting": "45", "jumlah_balita": "565", "jumlah_ibu_hamil": "88", "kode_desa": "35.07.01.2009", "kode_opd": "35.07-DINKES", "tahun": "2025"}','KES-02: Baris 12: balita_ditimbang (568) lebih besar dari jumlah_balita (565).');
CREATE TABLE komponen_indikator (
	tahun INTEGER NOT NULL, 
	kode_desa VARCHAR(13) NOT NULL, 
	indikator TEXT NOT NULL, 
	pembilang FLOAT NOT NULL, 
	penyebut FLOAT NOT NULL, 
	sumber TEXT NOT NULL, 
	versi TEXT NOT NULL, 
	PRIMARY KEY (tahun, kode_desa, indikator)
);
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2002','jumlah_penduduk',3111.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2005','jumlah_penduduk',7818.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2007','jumlah_penduduk',9064.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2008','jumlah_penduduk',2092.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2009','jumlah_penduduk',6752.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2002','rasio_jenis_kelamin',1515.0,1596.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2005','rasio_jenis_kelamin',3938.0,3880.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2007','rasio_jenis_kelamin',4535.0,4529.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2008','rasio_jenis_kelamin',1056.0,1036.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2009','rasio_jenis_kelamin',3330.0,3422.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2002','rata_rata_anggota_kk',3111.0,848.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2005','rata_rata_anggota_kk',7818.0,2203.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2007','rata_rata_anggota_kk',9064.0,2829.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2008','rata_rata_anggota_kk',2092.0,589.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2009','rata_rata_anggota_kk',6752.0,1938.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2002','angka_kelahiran_kasar',38.0,3111.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2005','angka_kelahiran_kasar',88.0,7818.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2007','angka_kelahiran_kasar',116.0,9064.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2008','angka_kelahiran_kasar',23.0,2092.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2009','angka_kelahiran_kasar',128.0,6752.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2002','angka_kematian_kasar',23.0,3111.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2005','angka_kematian_kasar',40.0,7818.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2007','angka_kematian_kasar',45.0,9064.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2008','angka_kematian_kasar',12.0,2092.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2009','angka_kematian_kasar',43.0,6752.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2001','prevalensi_stunting',22.0,150.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2002','prevalensi_stunting',100.0,498.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2003','prevalensi_stunting',86.0,503.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2006','prevalensi_stunting',110.0,568.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2007','prevalensi_stunting',78.0,571.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2008','prevalensi_stunting',73.0,122.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2010','prevalensi_stunting',30.0,197.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2001','posyandu_per_1000_balita',4.0,204.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2002','posyandu_per_1000_balita',0.0,622.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2003','posyandu_per_1000_balita',13.0,610.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2006','posyandu_per_1000_balita',7.0,668.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2007','posyandu_per_1000_balita',10.0,751.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2001','persen_desa_listrik_pln',1.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2002','persen_desa_listrik_pln',1.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2003','persen_desa_listrik_pln',1.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2004','persen_desa_listrik_pln',1.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2006','persen_desa_listrik_pln',1.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2007','persen_desa_listrik_pln',1.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2009','persen_desa_listrik_pln',1.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2001','persen_desa_sinyal_4g',0.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2002','persen_desa_sinyal_4g',1.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2003','persen_desa_sinyal_4g',1.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2004','persen_desa_sinyal_4g',1.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2006','persen_desa_sinyal_4g',0.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2007','persen_desa_sinyal_4g',1.0,1.0,'35.07.01','gerbang');
INSERT INTO "komponen_indikator" VALUES(2025,'35.07.01.2009','persen_desa_sinyal_4g',0.0,1.0,'35.07.01','gerbang');
CREATE TABLE pengiriman_paket (
	tahun INTEGER NOT NULL, 
	kode_pengirim TEXT NOT NULL, 
	versi TEXT NOT NULL, 
	diterima_pada VARCHAR(32) NOT NULL, 
	status TEXT NOT NULL, 
	alasan TEXT, 
	kunci_arsip TEXT NOT NULL, 
	baris_komponen INTEGER NOT NULL, 
	run_id TEXT, 
	PRIMARY KEY (tahun, kode_pengirim, versi)
);
INSERT INTO "pengiriman_paket" VALUES(2025,'35.07','2026-03-31T235900','2026-04-01T00:00:00+00:00','ditolak','tanda tangan tidak cocok','arsip/2025/paket/35.07/x',0,'lama-1');
CREATE TABLE ringkasan_validasi (
	run_id TEXT NOT NULL, 
	dataset TEXT NOT NULL, 
	tahun INTEGER NOT NULL, 
	kode_desa TEXT, 
	aturan VARCHAR(32) NOT NULL, 
	keparahan TEXT NOT NULL, 
	tingkat INTEGER, 
	jumlah INTEGER NOT NULL, 
	sha256_berkas TEXT NOT NULL
);
INSERT INTO "ringkasan_validasi" VALUES('lama-1','fasilitas',2025,'35.07.01.2005','FAS-01','error',1,1,'fc13d825d7f0995cae255c5eab6c430f6fa78d8c56a308887ee0daf93e8b9a28');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','fasilitas',2025,'35.07.01.2008','FAS-01','error',1,1,'facab7602efbb187b644adf19b655b1acc8352d729a131d1f95a1b2a12e567ee');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','fasilitas',2025,'35.07.01.2010','FAS-02','error',1,2,'c92f8af81b4bc96e4f6466446d8d325ff7859c5271c8b61936041ec32ec6f407');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','kependudukan',2025,'35.07.01.2001','KEP-01','error',0,1,'22f087c55b4ea59eb51c663752dcfa29842414d3fcb3acc9394d77800d763874');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','kependudukan',2025,'35.07.01.2003','KEP-02','error',1,1,'7786915a35963540ddafbbfb0fb9f47c02b0cf4ce374a22fdbd569f9cc54d72a');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','kependudukan',2025,'35.07.01.2004','STR-00','error',0,1,'cea7c21004702e3ba844002a68625fda7bb257246e35e657329ed783230938a4');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','kependudukan',2025,'35.07.01.2006','STR-01','error',0,1,'cfcd90230f6b128e52a3a8797892ccc43b084ac1aaaa289db57003876f7ffab2');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','kependudukan',2025,'35.07.01.2010','KEP-01','error',1,1,'b9e545d87b6cdf10acf078621487286c2d1f868bac14a4b7c6c16ae9a77ca857');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','kesehatan_anak',2025,'35.07.01.2004','KES-02','error',1,1,'2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','kesehatan_anak',2025,'35.07.01.2004','KES-04','warning',1,1,'2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','kesehatan_anak',2025,'35.07.01.2005','KES-01','error',1,1,'2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','kesehatan_anak',2025,'35.07.01.2008','KES-04','warning',1,1,'2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','kesehatan_anak',2025,'35.07.01.2009','KES-02','error',1,1,'2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','fasilitas',2025,'35.07.01.2002','FAS-03','warning',4,1,'7ba3ccdb90625c7155956c30e8751443317f203aa035aa5c02e7266d2891057a');
INSERT INTO "ringkasan_validasi" VALUES('lama-1','kesehatan_anak',2025,'35.07.01.2002','KES-05','warning',4,1,'2fb201cb21448b48dd933cb591fa8cf64b378570bc74c00dd45d500f82af1590');
CREATE INDEX ix_isu_validasi_sha256_berkas ON isu_validasi (sha256_berkas);
CREATE INDEX ix_ringkasan_validasi_sha256_berkas ON ringkasan_validasi (sha256_berkas);
COMMIT;
